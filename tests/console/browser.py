"""Drives `apikeys console` in headless Chromium (selenium, the Debian chromedriver; nothing is
downloaded). Usage: browser.py LOGIN_URL APIKEYS_BIN SHOT_DIR. Prints one json object of what
it saw; the Rust test (tests/cli/console.rs) asserts on it."""
import json, os, subprocess, sys, urllib.error, urllib.parse, urllib.request

os.environ["SE_OFFLINE"] = "true"  # selenium-manager must download nothing

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

url, binary, shots = sys.argv[1], sys.argv[2], sys.argv[3]
base = url.split("/login")[0]
opts = webdriver.ChromeOptions()
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1200,900", "--no-first-run", "--password-store=basic"]:
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
d.implicitly_wait(5)
seen = {}


def rows():
    # Waits (implicitly) for the keys table: the page before a click has none.
    d.find_element(By.CSS_SELECTOR, "table#keys")
    return {r.get_attribute("data-key-id"): r.text for r in d.find_elements(By.CSS_SELECTOR, "table#keys tbody tr")}


def alert_ran():
    try:
        d.switch_to.alert.accept()
        return True
    except NoAlertPresentException:
        return False


def post(path, fields, origin):
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    req = urllib.request.Request(base + path, data=urllib.parse.urlencode(fields).encode(), method="POST")
    req.add_header("Cookie", cookie)
    if origin:
        req.add_header("Origin", origin)
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code


try:
    d.get(url)
    seen["after_login"] = d.current_url.replace(base, "")
    seen["cookie_httponly"] = all(c.get("httpOnly") for c in d.get_cookies())
    seen["cookie_samesite"] = [c.get("sameSite") for c in d.get_cookies()]
    seen["rows"] = rows()
    seen["alert_ran"] = alert_ran()
    d.save_screenshot(f"{shots}/console-keys.png")
    # Add a key through the form.
    d.find_element(By.LINK_TEXT, "Add key").click()
    d.find_element(By.ID, "name").send_keys("browser-made")
    d.find_element(By.ID, "scope").send_keys("deploy:write")
    d.find_element(By.ID, "owner").send_keys("acme")
    d.save_screenshot(f"{shots}/console-add.png")
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=create]").click()
    token = d.find_element(By.ID, "token").text
    key_id = d.find_element(By.ID, "key-id").text
    d.save_screenshot(f"{shots}/console-shown-once.png")
    seen["key_id"] = key_id
    seen["verify"] = subprocess.run([binary, "verify", "--scope", "deploy:write"], input=token.encode(),
                                    capture_output=True).returncode
    seen["token_in_url"] = token in d.current_url
    d.find_element(By.ID, "stored").click()
    d.find_element(By.CSS_SELECTOR, "form[action='/keys'] button").click()
    seen["back_at_keys"] = key_id in rows()
    # Back does not bring the token back.
    d.back()
    seen["token_after_back"] = token in d.page_source
    # The token pasted into the search: its key is found, and the secret is in no URL.
    d.get(f"{base}/keys")
    box = d.find_element(By.NAME, "q")
    box.send_keys(token)
    box.submit()
    d.find_element(By.CSS_SELECTOR, f"tr[data-key-id='{key_id}']")
    seen["search_rows"] = list(rows().keys())
    seen["search_secret_in_url"] = token.split("_")[2][:20] in d.current_url
    seen["search_box"] = d.find_element(By.NAME, "q").get_attribute("value")
    # The key's page: chart, then deactivate and activate.
    d.get(f"{base}/keys/{key_id}")
    seen["chart"] = len(d.find_elements(By.CSS_SELECTOR, "svg#chart")) == 1
    d.save_screenshot(f"{shots}/console-key.png")
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=revoke]").click()
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=activate]")  # the page after
    seen["after_revoke"] = subprocess.run([binary, "show", key_id, "--format", "json"], capture_output=True,
                                          text=True).stdout
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=activate]").click()
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=revoke]")
    seen["after_activate"] = subprocess.run([binary, "show", key_id, "--format", "json"], capture_output=True,
                                            text=True).stdout
    # Rotate with a grace period: the new token is shown once; the old one works meanwhile.
    d.get(f"{base}/keys/{key_id}")
    grace = d.find_element(By.ID, "grace")
    grace.clear()
    grace.send_keys("1h")
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=rotate]").click()
    rotated = d.find_element(By.ID, "token").text
    verify = lambda t: subprocess.run([binary, "verify"], input=t.encode(), capture_output=True).returncode
    seen["rotated_new"] = verify(rotated)
    seen["rotated_old"] = verify(token)
    seen["rotated_differs"] = rotated != token
    # A change made by the CLI shows on reload.
    subprocess.run([binary, "revoke", "cli-made", "--yes"], check=True, capture_output=True)
    d.get(f"{base}/keys")
    seen["rows_after_cli"] = rows()
    cli_id = [i for i, t in seen["rows_after_cli"].items() if "cli-made" in t][0]
    # Delete with the typed name: a wrong name deletes nothing; the right one does.
    d.get(f"{base}/keys/{key_id}")
    d.find_element(By.ID, "confirm_name").send_keys("not-its-name")
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=delete]").click()
    seen["wrong_name_error"] = d.find_element(By.CSS_SELECTOR, "p.error").text
    d.find_element(By.ID, "confirm_name").send_keys("browser-made")
    d.find_element(By.CSS_SELECTOR, "button[name=action][value=delete]").click()
    seen["rows_after_delete"] = rows()
    # Refusals: another origin, no CSRF token, the login link again.
    csrf = None
    d.get(f"{base}/keys/new")
    csrf = d.find_element(By.NAME, "csrf").get_attribute("value")
    seen["cross_origin"] = post("/keys", {"csrf": csrf, "name": "evil", "action": "create"}, "http://evil.example")
    seen["no_csrf"] = post("/keys", {"name": "evil", "action": "create"}, base)
    seen["good_post"] = post("/keys", {"csrf": csrf, "name": "via-post", "action": "create"}, base)
    # At 360 px wide nothing overflows the page, and every control has a label.
    d.set_window_size(360, 800)
    narrow = {}
    unlabelled = []
    for path in ["/keys", "/keys/new", f"/keys/{cli_id}", "/log", "/groups", "/policy", "/status"]:
        d.get(base + path)
        narrow[path] = d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        unlabelled += d.execute_script("""
            return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter(e => !e.closest('label') && !(e.id && document.querySelector('label[for="' + e.id + '"]')))
              .map(e => location.pathname + ' ' + (e.name || e.id));""")
    seen["narrow"] = narrow
    seen["unlabelled"] = unlabelled
    d.get(url)
    seen["second_login"] = d.find_element(By.TAG_NAME, "h1").text
    print(json.dumps(seen))
finally:
    d.quit()

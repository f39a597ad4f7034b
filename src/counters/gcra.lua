-- apikeys: the requests of one limited key, each decided and kept all-or-nothing (SPEC §10).
-- The mirror of src/engine/limits.rs::decide, tested against it on the same sequences. Several
-- requests that arrived together come as one call (one read, one write); each is decided on
-- what the ones before it left, exactly as if they had come one call each.
--
-- KEYS[1]  apikeys:{<key id>}: a hash holding this key's state, and nothing else:
--            seed  when the figure below was true, as an order (keys.rs: `seed_order`)
--            rem   uses left        per  the refill period `rem` belongs to
--            r<N>/<P>  one rate's theoretical arrival time, "<ms>:<fraction of N>"
-- ARGV     the costs (one, or several comma-separated, in order), now_ms ('' = Redis TIME: node clocks do not matter), created_at (s),
--          refill N (-1: none), refill every (s), seed_order, remaining ('' = no use limit),
--          remaining's period, the number of rates, then N and P (ms) of each rate.
-- Returns  per request, in order: {verdict (0 allowed, 1 rate limited, 2 usage exceeded), has uses (0/1), uses left,
--           retry after (s, -1), limit, remaining, reset (s) of the tightest rate (-1),
--           refills at (unix s, -1), seeded (0/1: the first answer only)}
--
-- Lua numbers are doubles: exact integers only below 2^53. A rate's time is kept in units of
-- 1/N ms as in Rust, but split into whole milliseconds and a fraction below N, so nothing
-- here ever exceeds 2^53 (Rust's i128 products would).
local k = KEYS[1]
local costs = {}
for c in string.gmatch(ARGV[1], '[^,]+') do
  costs[#costs + 1] = math.max(tonumber(c), 1)
end
local now_ms
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now_ms = tonumber(ARGV[2])
end
local created = tonumber(ARGV[3])
local refill_n = tonumber(ARGV[4])
local every = math.max(tonumber(ARGV[5]), 1)
local seed_order = tonumber(ARGV[6])
local has_uses = ARGV[7] ~= ''
local nrates = tonumber(ARGV[9])
local now = math.floor(now_ms / 1000)

-- One read of everything this request needs, and (below) one write.
local names = {'seed', 'rem', 'per'}
for i = 1, nrates do
  names[3 + i] = 'r' .. ARGV[8 + 2 * i] .. '/' .. ARGV[9 + 2 * i]
end
local st = redis.call('HMGET', k, unpack(names))
local writes = {}

local seeded = 0
local remaining, period = 0, 0
if has_uses then
  if st[1] == false or st[2] == false or tonumber(st[1]) < seed_order then
    remaining = tonumber(ARGV[7])
    period = tonumber(ARGV[8])
    seeded = 1
    writes = {'seed', string.format('%d', seed_order),
      'rem', string.format('%d', remaining), 'per', string.format('%d', period)}
  else
    remaining = tonumber(st[2])
    period = tonumber(st[3])
  end
  if refill_n >= 0 then
    local p = math.floor(math.max(now - created, 0) / every)
    if p > period then
      remaining = refill_n
      period = p
    end
  end
end
local refills_at = -1
if has_uses and refill_n >= 0 then
  refills_at = created + (math.floor(math.max(now - created, 0) / every) + 1) * every
end

-- Each rate's theoretical arrival time as kept (nil: none, or one that cannot be read).
local rn, rp, cur_ms, cur_fr = {}, {}, {}, {}
local longest = 0
for i = 1, nrates do
  rn[i] = tonumber(ARGV[8 + 2 * i])
  rp[i] = tonumber(ARGV[9 + 2 * i])
  longest = math.max(longest, rp[i])
  local v = st[3 + i]
  if v then
    local sms, sfr = string.match(v, '^(%-?%d+):(%d+)$')
    sms, sfr = tonumber(sms), tonumber(sfr)
    if sms and sfr then
      cur_ms[i], cur_fr[i] = sms, sfr
    end
  end
end

-- The requests in the order they came, each decided on what the ones before it left. The
-- answers go straight into one flat list (no table per request: a batch is a hot loop).
local out, o = {}, 0
local has = has_uses and 1 or 0
local new_ms, new_fr = {}, {}
local taken = false
for j = 1, #costs do
  local cost = costs[j]
  local wait, wait_limit = -1, -1
  local hr_limit, hr_left, hr_reset = -1, -1, -1
  for i = 1, nrates do
    local n, per = rn[i], rp[i]
    local ms, fr = now_ms, 0
    local sms, sfr = cur_ms[i], cur_fr[i]
    if sms and (sms > now_ms or (sms == now_ms and sfr > 0)) then
      ms, fr = sms, sfr
    end
    -- new TAT = TAT + cost × P units
    local f2 = fr + cost * per
    local ms2 = ms + math.floor(f2 / n)
    f2 = f2 % n
    -- over = new TAT − now − N × P units = d × N + f2, with 0 ≤ f2 < N
    local d = ms2 - now_ms - per
    local frac_up = 0
    if f2 > 0 then frac_up = 1 end
    if d > 0 or (d == 0 and f2 > 0) then
      if d + frac_up > wait then
        wait, wait_limit = d + frac_up, n
      end
    else
      new_ms[i], new_fr[i] = ms2, f2
      local left = math.floor(((-d) * n - f2) / per)
      local reset = math.floor(((ms2 - now_ms) + frac_up + 999) / 1000)
      if hr_left < 0 or left < hr_left then
        hr_limit, hr_left, hr_reset = n, left, reset
      end
    end
  end
  -- A (re)seeding is reported once, with the first answer.
  local s = 0
  if j == 1 then s = seeded end
  if wait >= 0 then
    -- The rate that said no for longest stands for the limit, as in Rust. A denial keeps
    -- nothing.
    local retry = math.max(math.floor((wait + 999) / 1000), 1)
    out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5] = 1, has, remaining, retry, wait_limit
    out[o + 6], out[o + 7], out[o + 8], out[o + 9] = 0, retry, refills_at, s
  elseif has_uses and remaining < cost then
    local retry = -1
    if refills_at >= 0 then retry = math.max(refills_at - now, 1) end
    out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5] = 2, 1, remaining, retry, -1
    out[o + 6], out[o + 7], out[o + 8], out[o + 9] = -1, -1, refills_at, s
  else
    for i = 1, nrates do
      cur_ms[i], cur_fr[i] = new_ms[i], new_fr[i]
    end
    if has_uses then remaining = remaining - cost end
    taken = true
    out[o + 1], out[o + 2], out[o + 3], out[o + 4], out[o + 5] = 0, has, remaining, -1, hr_limit
    out[o + 6], out[o + 7], out[o + 8], out[o + 9] = hr_left, hr_reset, refills_at, s
  end
  o = o + 9
end

-- One write: a new seed, and what the granted requests took.
if taken then
  for i = 1, nrates do
    writes[#writes + 1] = names[3 + i]
    writes[#writes + 1] = string.format('%d:%d', cur_ms[i], cur_fr[i])
  end
  if has_uses then
    writes[#writes + 1] = 'rem'
    writes[#writes + 1] = string.format('%d', remaining)
    writes[#writes + 1] = 'per'
    writes[#writes + 1] = string.format('%d', period)
  end
end
if #writes > 0 then
  redis.call('HSET', k, unpack(writes))
end
if taken and not has_uses and nrates > 0 then
  -- Rates alone: the state is worth nothing once every bucket is full again.
  redis.call('PEXPIRE', k, longest + 1000)
end
return out

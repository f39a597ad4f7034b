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
-- Returns  {verdicts, now_ms, seeded (0/1), remaining, period, then ms and fraction of each
--          rate's time}: one verdict a request, in order, as a string of digits (0 allowed,
--          1 rate limited, 2 usage exceeded), and the state those requests were decided on,
--          as read (and seeded) before the first: the caller replays the same decisions with
--          the engine's own `decide` for each answer's figures, and trusts none of them
--          unless its verdicts are these. A rate never used reads 0 and 0.
--
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
-- As read (or seeded), before a refill: what the caller's replay starts from.
local read_rem, read_per = 0, 0
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
  read_rem, read_per = remaining, period
  if refill_n >= 0 then
    local p = math.floor(math.max(now - created, 0) / every)
    if p > period then
      remaining = refill_n
      period = p
    end
  end
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

-- What the requests are decided on, for the caller to replay.
local out = {'', now_ms, seeded, read_rem, read_per}
for i = 1, nrates do
  out[4 + 2 * i] = cur_ms[i] or 0
  out[5 + 2 * i] = cur_fr[i] or 0
end

-- The requests in the order they came, each decided on what the ones before it left.
local verdicts = {}
local new_ms, new_fr = {}, {}
local taken = false
for j = 1, #costs do
  local cost = costs[j]
  local limited = false
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
    if d > 0 or (d == 0 and f2 > 0) then
      limited = true
    else
      new_ms[i], new_fr[i] = ms2, f2
    end
  end
  -- A denial keeps nothing.
  if limited then
    verdicts[j] = '1'
  elseif has_uses and remaining < cost then
    verdicts[j] = '2'
  else
    for i = 1, nrates do
      cur_ms[i], cur_fr[i] = new_ms[i], new_fr[i]
    end
    if has_uses then remaining = remaining - cost end
    taken = true
    verdicts[j] = '0'
  end
end
out[1] = table.concat(verdicts)

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

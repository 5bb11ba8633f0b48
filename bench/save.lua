-- wrk script: PUT an answer to a random (attempt, position) with that attempt owner's bearer token.
-- Reads bench/tmp/save_targets.txt: one "token attempt_id" per line.
local targets = {}
local keys = {"a", "b", "c", "d"}

function init(args)
  for line in io.lines(args[1]) do
    local token, attempt = line:match("^(%S+)%s+(%d+)$")
    table.insert(targets, {token = token, attempt = attempt})
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  local t = targets[math.random(#targets)]
  local position = math.random(10)
  local body = '{"choices": ["' .. keys[math.random(4)] .. '"]}'
  return wrk.format("PUT", "/api/v1/attempts/" .. t.attempt .. "/answers/" .. position,
    {["Authorization"] = "Bearer " .. t.token, ["Content-Type"] = "application/json"}, body)
end

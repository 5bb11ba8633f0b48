-- wrk script: GET a path with a random bearer token. args: file of tokens, path.
local tokens = {}
local path

function init(args)
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  path = args[2]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]})
end

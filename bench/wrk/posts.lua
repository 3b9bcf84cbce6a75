-- POSTs read from a file, one a line: "path<TAB>cookie<TAB>form body" (the harness writes it).
-- wrk's threads take the lines in turns (thread n sends lines n, n + threads, n + 2 × threads…),
-- so no two requests of one run repeat a line; at the end of the file a thread starts again from its first line.
local threads = {}
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("number", counter)
  table.insert(threads, thread)
end

local lines = {}
local position

init = function(args)
  for line in io.lines(args[1]) do
    local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(lines, {path = path, cookie = cookie, body = body})
  end
  position = number
  step = tonumber(args[2])
end

request = function()
  local line = lines[position]
  position = position + step
  if position > #lines then
    position = number
  end
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if line.cookie ~= "" then
    headers["Cookie"] = line.cookie
  end
  return wrk.format("POST", line.path, headers, line.body)
end

-- wrk script: GET each path of $WRK_PATHS in turn, logged in with $WRK_COOKIE; with $WRK_HTMX set, as
-- htmx does (HX-Request), so the server answers with the results fragment only.
local paths = {}
local index = 0
local cookie = os.getenv("WRK_COOKIE") or ""
local htmx = os.getenv("WRK_HTMX") == "1"

for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end

function setup(thread)
  index = index + 1
  thread:set("start", index * 7)
end

function init(args)
  index = start or 0
end

function request()
  index = index % #paths + 1
  local headers = { ["Cookie"] = cookie }
  if htmx then headers["HX-Request"] = "true" end
  return wrk.format("GET", paths[index], headers)
end

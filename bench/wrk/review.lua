-- POST /api/cards/<id>/review/ with a fresh review_id each time, spread over the due cards of many learners.
-- BENCH_CARDS names a file of "token card_id" lines: each card is due and belongs to that token's learner.
local pairs_ = {}
for line in io.lines(os.getenv("BENCH_CARDS")) do
  local token, card = line:match("(%S+) (%S+)")
  pairs_[#pairs_ + 1] = {token, card}
end
local counter = 0
local thread_seed = 0

setup = function(thread)
  thread_seed = thread_seed + 1
  thread:set("seed", thread_seed)
end

init = function(args)
  math.randomseed(os.time() + (seed or 0))
  counter = math.random(#pairs_)
end

local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

request = function()
  counter = counter % #pairs_ + 1
  local token, card = pairs_[counter][1], pairs_[counter][2]
  local body = '{"rating": 3, "review_id": "' .. uuid4() .. '"}'
  return wrk.format("POST", "/api/cards/" .. card .. "/review/",
    {["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}, body)
end

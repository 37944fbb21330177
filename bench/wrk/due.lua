-- GET /api/cards/due/?limit=20, each request as one of the learners in tokens.txt (one token a line), in turn.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local next_learner = math.random(#tokens)

request = function()
  next_learner = next_learner % #tokens + 1
  return wrk.format("GET", "/api/cards/due/?limit=20", {["Authorization"] = "Token " .. tokens[next_learner]})
end

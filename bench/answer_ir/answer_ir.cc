// answer_ir: runs the answer engine in-process over a dnsperf query file, so that callgrind can
// count the instructions of answering alone, without sockets or threads:
//
//   valgrind --tool=callgrind --toggle-collect='dnsd::answer*' answer_ir CONFIG QUERYFILE [ROUNDS]
//
// Instructions per query = the Ir callgrind reports / (queries x rounds). The bench's own
// callgrind phase measures the whole server instead; this one is for working on the engine.
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "conf/load.hh"
#include "control/generation.hh"
#include "dnsd/engine.hh"
#include "dnsd/prepared_answer.hh"
#include "dnsd/wire/types.hh"

namespace {

// "name TYPE" per line, as dnsperf reads it; returns plain queries (no EDNS), as dnsperf sends.
std::vector<std::vector<std::uint8_t>> read_queries(const std::string& path) {
  std::vector<std::vector<std::uint8_t>> queries;
  std::ifstream in(path);
  std::string name, type;
  std::uint16_t id = 0;
  while (in >> name >> type) {
    const auto qname = dnsd::wire::Name::from_text(name.back() == '.' ? name : name + ".");
    const auto qtype = dnsd::wire::type_from_text(type);
    if (!qname || !qtype) continue;
    std::vector<std::uint8_t> q = {static_cast<std::uint8_t>(id >> 8),
                                   static_cast<std::uint8_t>(id),
                                   0,
                                   0,
                                   0,
                                   1,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0};
    ++id;
    q.insert(q.end(), qname->wire().begin(), qname->wire().end());
    q.insert(q.end(),
             {static_cast<std::uint8_t>(*qtype >> 8), static_cast<std::uint8_t>(*qtype), 0, 1});
    queries.push_back(std::move(q));
  }
  return queries;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: answer_ir CONFIG QUERYFILE [ROUNDS]\n");
    return 2;
  }
  conf::LoadResult loaded = conf::load_file(argv[1]);
  if (!loaded.config) {
    for (const auto& error : loaded.errors) fmt::print(stderr, "{}\n", error.to_string());
    return 1;
  }
  const auto queries = read_queries(argv[2]);
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 1;
  // The state dnsd would serve from this config (prepared answers built, endpoints unprobed).
  const control::Generation generation(std::move(loaded.config));
  dnsd::ServingState state = generation.served.state;
  // DNSD_GENERAL_ONLY=1: measure the general path alone.
  if (std::getenv("DNSD_GENERAL_ONLY")) state.prepared = nullptr;
  auto scratch = std::make_unique<dnsd::Scratch>();
  dnsd::Client client;
  std::map<int, std::size_t> rcodes;
  std::size_t bytes = 0;
  for (int round = 0; round < rounds; ++round) {
    for (const auto& query : queries) {
      const dnsd::Reply reply = dnsd::answer(state, *scratch, query, client);
      ++rcodes[reply.rcode];
      bytes += reply.bytes.size();
    }
  }
  const std::size_t total = queries.size() * static_cast<std::size_t>(rounds);
  std::map<std::string, std::size_t>
      declined;  // by qtype: what the fast path left to the general one
  for (const auto& query : queries)
    if (!dnsd::answer_prepared(state, *scratch, query, client))
      ++declined[dnsd::wire::type_to_text(
          static_cast<std::uint16_t>(query[query.size() - 4] << 8 | query[query.size() - 3]))];
  fmt::print("{} answers, {:.1f} bytes each; rcodes:", total,
             static_cast<double>(bytes) / static_cast<double>(total));
  for (const auto& [rcode, count] : rcodes) fmt::print(" {}={}", rcode, count);
  fmt::print("\ngeneral path (per round):");
  for (const auto& [type, count] : declined) fmt::print(" {}={}", type, count);
  fmt::print("\n");
  return 0;
}

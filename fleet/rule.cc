// The fleet's voting rule (rule.hh): count the live votes, apply the rule, explain it.
// Pure: the same votes in any order give the same decision and the same words.
#include "fleet/rule.hh"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <tuple>
#include <vector>

namespace fleet {
namespace {

using routing::MonitorStatus;

// "10:02:11Z": the day is left out, verdicts older than a day are rare and the status page
// shows full times.
std::string clock_text(std::chrono::system_clock::time_point at) {
  return fmt::format("{:%H:%M:%S}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(at)));
}

std::string reason_text(const Vote& vote) {
  return vote.detail.empty() ? std::string(routing::to_string(vote.reason)) : vote.detail;
}

// "eu-west: http 503 since 10:02:11Z", "ap-south", "ap-south: CheckingEndpoint".
std::string entry(const Vote& vote) {
  switch (vote.status) {
    case MonitorStatus::degraded:
      return fmt::format("{}: {} since {}", vote.vantage, reason_text(vote),
                         clock_text(vote.since));
    case MonitorStatus::online:
      return vote.vantage;
    default:
      return fmt::format("{}: {}", vote.vantage, routing::to_string(vote.status));
  }
}

// "2 Degraded (eu-west: ..., us-east: ...)"; empty when the group is. Dead vantages are named
// only: what they said last does not count.
std::string group(std::string_view label, const std::vector<const Vote*>& members) {
  if (members.empty()) return {};
  std::string out = fmt::format("{} {} (", members.size(), label);
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) out += ", ";
    out += members[i]->live ? entry(*members[i]) : members[i]->vantage;
  }
  return out + ")";
}

MonitorStatus apply(const Rule& rule, std::uint32_t online, std::uint32_t degraded) {
  const std::uint32_t votes = online + degraded;
  switch (rule.kind) {
    case Rule::Kind::majority:
      return degraded > online ? MonitorStatus::degraded : MonitorStatus::online;
    case Rule::Kind::at_least:
      return online >= std::min(rule.at_least, votes) ? MonitorStatus::online
                                                      : MonitorStatus::degraded;
    case Rule::Kind::fraction:
      return online > rule.fraction * votes ? MonitorStatus::online : MonitorStatus::degraded;
  }
  return MonitorStatus::online;
}

// The reason most Degraded votes give; a tie goes to the first such vote in vantage order.
routing::Reason common_reason(const std::vector<const Vote*>& degraded) {
  std::array<std::uint32_t, 256> counts{};
  routing::Reason best = routing::Reason::none;
  std::uint32_t best_count = 0;
  for (const Vote* vote : degraded) ++counts[static_cast<std::uint8_t>(vote->reason)];
  for (const Vote* vote : degraded) {
    const auto count = counts[static_cast<std::uint8_t>(vote->reason)];
    if (count > best_count) best = vote->reason, best_count = count;
  }
  return best;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// `why` says why the votes were not used.
Decision local_decision(const Vote& local, const std::vector<const Vote*>& dead,
                        const std::string& why) {
  Decision out;
  out.status = local.status;
  out.reason = local.status == MonitorStatus::degraded ? local.reason : routing::Reason::none;
  out.dead = static_cast<std::uint32_t>(dead.size());
  out.local = true;
  const std::string verdict =
      local.status == MonitorStatus::degraded
          ? fmt::format("{} ({} since {})", routing::to_string(local.status), reason_text(local),
                        clock_text(local.since))
          : std::string(routing::to_string(local.status));
  out.explanation =
      fmt::format("{}: local verdict {} -> {}", why, verdict, routing::to_string(out.status));
  return out;
}

}  // namespace

std::string to_string(const Rule& rule) {
  switch (rule.kind) {
    case Rule::Kind::majority:
      return "majority";
    case Rule::Kind::at_least:
      return fmt::format("at_least:{}", rule.at_least);
    case Rule::Kind::fraction:
      return fmt::format("fraction:{}", rule.fraction);
  }
  return "majority";
}

Decision decide(const Rule& rule, std::span<const Vote> votes, const Vote& local) {
  std::vector<const Vote*> sorted;
  sorted.reserve(votes.size());
  for (const Vote& vote : votes) sorted.push_back(&vote);
  // Name first; the rest only orders duplicates, so even those cannot depend on input order.
  std::sort(sorted.begin(), sorted.end(), [](const Vote* a, const Vote* b) {
    return std::tie(a->vantage, a->status, a->since, a->live) <
           std::tie(b->vantage, b->status, b->since, b->live);
  });

  std::vector<const Vote*> online, degraded, abstained, dead;
  for (const Vote* vote : sorted) {
    if (!vote->live)
      dead.push_back(vote);
    else if (vote->status == MonitorStatus::online)
      online.push_back(vote);
    else if (vote->status == MonitorStatus::degraded)
      degraded.push_back(vote);
    else
      abstained.push_back(vote);
  }
  const std::size_t live = online.size() + degraded.size() + abstained.size();
  if (local.status == MonitorStatus::stopped)
    return local_decision(local, dead, "child profile disabled here");
  if (live == 0)
    return local_decision(local, dead,
                          dead.empty() ? "no vantage" : "no live vantage, " + group("dead", dead));

  Decision out;
  out.online = static_cast<std::uint32_t>(online.size());
  out.degraded = static_cast<std::uint32_t>(degraded.size());
  out.abstained = static_cast<std::uint32_t>(abstained.size());
  out.dead = static_cast<std::uint32_t>(dead.size());
  out.status = online.empty() && degraded.empty() ? MonitorStatus::checking_endpoint
                                                  : apply(rule, out.online, out.degraded);
  if (out.status == MonitorStatus::degraded) out.reason = common_reason(degraded);

  std::vector<std::string> parts;
  for (auto part : {group("Degraded", degraded), group("Online", online),
                    group("abstaining", abstained), group("dead", dead)})
    if (!part.empty()) parts.push_back(std::move(part));
  out.explanation = fmt::format("{} of {}: {} -> {}", to_string(rule), plural(live, "live vantage"),
                                fmt::join(parts, ", "), routing::to_string(out.status));
  return out;
}

}  // namespace fleet

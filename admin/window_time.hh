// The from= and until= of a maintenance window as the API takes them: a time text (see
// control/time_text.hh) that the wall clock can hold exactly. A far-future time is refused
// here rather than wrapped into the past or the present.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "control/overrides.hh"  // WallClock

namespace admin {

// nullopt with *error set (a sentence naming `name`) when the text is not a time or is out of
// the range the wall clock can hold.
std::optional<control::WallClock::time_point> parse_window_time(std::string_view name,
                                                                std::string_view text,
                                                                std::string* error);

}  // namespace admin

// The Engine API's timestamps: what the reaper reads to tell how long a node has been down.

#include "common/timestamp.hpp"

#include "sb_doctest.hpp"

using namespace sb;
using namespace std::chrono;

TEST_CASE("engine times parse as the engine writes them, in UTC or with the daemon's offset") {
    auto t = parse_engine_time("2026-12-04T18:55:04.662221881Z");
    REQUIRE(t);
    CHECK(format_engine_time(*t) == "2026-12-04T18:55:04.662221881Z");
    auto base = sys_days(year{2026} / 12 / 4) + hours(18) + minutes(55) + seconds(4);
    CHECK(*t == EngineTime(base) + nanoseconds(662221881));
    // Fewer digits, none, and an offset (SystemTime in the daemon's zone).
    CHECK(parse_engine_time("2026-12-04T18:55:04.5Z") == EngineTime(base) + milliseconds(500));
    CHECK(parse_engine_time("2026-12-04T18:55:04Z") == EngineTime(base));
    CHECK(parse_engine_time("2026-12-04T19:55:04.000000000+01:00") == EngineTime(base));
    CHECK(parse_engine_time("2026-12-04T13:25:04-05:30") == EngineTime(base));
    // More than nanoseconds: the rest is dropped.
    CHECK(parse_engine_time("2026-12-04T18:55:04.1234567891Z") == EngineTime(base) + nanoseconds(123456789));
}

TEST_CASE("what is not an engine time, or Go's zero time, reads as none") {
    for (const char* text :
         {"", "2026-12-04", "2026-12-04T18:55:04", "2026-12-04 18:55:04Z", "2026-13-04T18:55:04Z",
          "2026-02-30T18:55:04Z", "2026-12-04T24:00:00Z", "2026-12-04T18:55:04.Z", "2026-12-04T18:55:04Zjunk",
          "2026-12-04T18:55:04+0100", "0001-01-01T00:00:00Z", "x026-12-04T18:55:04Z"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_engine_time(text));
    }
}

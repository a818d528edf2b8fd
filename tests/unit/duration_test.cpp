#include "common/duration.hpp"

#include "sb_doctest.hpp"

using namespace sb;

TEST_CASE("durations parse in the docker CLI's forms") {
    CHECK(parse_duration("250ms") == Duration(250));
    CHECK(parse_duration("30s") == Duration(30'000));
    CHECK(parse_duration("15m") == Duration(900'000));
    CHECK(parse_duration("1h") == Duration(3'600'000));
    CHECK(parse_duration("1m30s") == Duration(90'000));
    CHECK(parse_duration("1.5s") == Duration(1500));
}

TEST_CASE("ambiguous or malformed durations are rejected") {
    for (const char* bad : {"", "30", "s", "10x", "1..5s", "-5s", "5 s", "ms"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}

TEST_CASE("durations format for progress lines") {
    CHECK(format_duration(Duration(250)) == "250ms");
    CHECK(format_duration(Duration(3200)) == "3.2s");
    CHECK(format_duration(Duration(852'000)) == "14m12s");
    CHECK(format_duration(Duration(-5)) == "0ms");
    CHECK(format_duration(Duration(3'600'000 + 120'000)) == "1h02m");
}

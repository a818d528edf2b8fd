#include "common/timestamp.hpp"

#include <cstdint>
#include <cstdio>

namespace sb {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The `count` digits at `pos`, as a number; false when any is missing or not a digit.
bool read_digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > s.size()) {
        return false;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (!is_digit(s[i])) {
            return false;
        }
        value = value * 10 + (s[i] - '0');
    }
    out = value;
    return true;
}

}  // namespace

std::optional<EngineTime> parse_engine_time(std::string_view s) {
    using namespace std::chrono;
    int y = 0;
    int mo = 0;
    int d = 0;
    int h = 0;
    int mi = 0;
    int se = 0;
    if (!read_digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_digits(s, 5, 2, mo) ||
        s[7] != '-' || !read_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
        !read_digits(s, 11, 2, h) || s[13] != ':' || !read_digits(s, 14, 2, mi) || s[16] != ':' ||
        !read_digits(s, 17, 2, se)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::int64_t fraction = 0;
    if (s[pos] == '.') {
        ++pos;
        int digits = 0;
        for (; pos < s.size() && is_digit(s[pos]); ++pos, ++digits) {
            if (digits < 9) {
                fraction = fraction * 10 + (s[pos] - '0');
            }
        }
        if (digits == 0) {
            return std::nullopt;
        }
        for (int k = digits; k < 9; ++k) {
            fraction *= 10;
        }
    }
    minutes offset{0};
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh = 0;
        int om = 0;
        if (!read_digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
            !read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset = minutes((s[pos] == '-' ? -1 : 1) * (oh * 60 + om));
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) {
        return std::nullopt;
    }
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || y < 1970 || h > 23 || mi > 59 || se > 60) {
        return std::nullopt;
    }
    return EngineTime(sys_days(date).time_since_epoch()) + hours(h) + minutes(mi) + seconds(se) +
           nanoseconds(fraction) - offset;
}

std::string format_engine_time(EngineTime t) {
    using namespace std::chrono;
    auto day_start = floor<days>(t);
    year_month_day date{day_start};
    auto in_day = t - day_start;
    auto h = duration_cast<hours>(in_day);
    auto m = duration_cast<minutes>(in_day - h);
    auto s = duration_cast<seconds>(in_day - h - m);
    auto ns = duration_cast<nanoseconds>(in_day - h - m - s);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(h.count()), static_cast<int>(m.count()), static_cast<int>(s.count()),
                  static_cast<long long>(ns.count()));
    return buf;
}

}  // namespace sb

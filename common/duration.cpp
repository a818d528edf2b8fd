#include "common/duration.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sb {

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    double total_ms = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t start = i;
        while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
            ++i;
        }
        if (i == start) {
            return std::nullopt;
        }
        // from_chars, not stod: no exception for ".", and no locale.
        double value = 0;
        auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, value);
        if (ec != std::errc() || end != text.data() + i) {
            return std::nullopt;
        }
        std::size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
            ++i;
        }
        std::string_view unit = text.substr(unit_start, i - unit_start);
        double scale = 0;
        if (unit == "ms") {
            scale = 1;
        } else if (unit == "s") {
            scale = 1000;
        } else if (unit == "m") {
            scale = 60'000;
        } else if (unit == "h") {
            scale = 3'600'000;
        } else {
            return std::nullopt;
        }
        total_ms += value * scale;
    }
    if (total_ms > 1e12) {
        return std::nullopt;
    }
    return Duration(static_cast<Duration::rep>(std::llround(total_ms)));
}

std::string format_duration(Duration d) {
    auto ms = d.count();
    if (ms < 0) {
        ms = 0;
    }
    char buf[64];
    if (ms < 1000) {
        std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
    } else if (ms < 60'000) {
        std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
    } else if (ms < 3'600'000) {
        std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / 60'000),
                      static_cast<long long>((ms / 1000) % 60));
    } else {
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / 3'600'000),
                      static_cast<long long>((ms / 60'000) % 60));
    }
    return buf;
}

}  // namespace sb

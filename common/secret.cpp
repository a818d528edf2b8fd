#include "common/secret.hpp"

#include <cctype>

namespace sb {

namespace {

constexpr std::string_view token_prefix = "SWMTKN-";
constexpr std::string_view key_begin = "-----BEGIN";
constexpr std::string_view key_end = "PRIVATE KEY-----";

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
}

}  // namespace

std::string redact(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (text.substr(i, token_prefix.size()) == token_prefix) {
            out += "SWMTKN-<redacted>";
            i += token_prefix.size();
            while (i < text.size() && is_token_char(text[i])) {
                ++i;
            }
            continue;
        }
        if (text.substr(i, key_begin.size()) == key_begin) {
            auto header_end = text.find("-----", i + key_begin.size());
            auto header = text.substr(i, header_end == std::string_view::npos ? 0 : header_end + 5 - i);
            if (header.find("PRIVATE KEY") != std::string_view::npos) {
                auto last = text.find(key_end, i + header.size());
                out += "<redacted private key>";
                i = last == std::string_view::npos ? text.size() : last + key_end.size();
                continue;
            }
        }
        out += text[i++];
    }
    return out;
}

bool looks_like_join_token(std::string_view token) {
    constexpr std::string_view prefix = "SWMTKN-1-";
    if (token.substr(0, prefix.size()) != prefix) {
        return false;
    }
    auto rest = token.substr(prefix.size());
    auto dash = rest.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 >= rest.size()) {
        return false;
    }
    for (char c : rest) {
        if (c != '-' && std::isalnum(static_cast<unsigned char>(c)) == 0) {
            return false;
        }
    }
    return rest.find('-', dash + 1) == std::string_view::npos;
}

}  // namespace sb

#include "common/host_name.hpp"

#include <algorithm>

namespace sb {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Digits and dots only, or a last label of digits: someone meant an IPv4 address.
bool looks_like_ipv4(std::string_view host) {
    if (std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; })) {
        return true;
    }
    auto last = host.substr(host.rfind('.') == std::string_view::npos ? 0 : host.rfind('.') + 1);
    return !last.empty() && std::all_of(last.begin(), last.end(), is_digit);
}

bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// IPv6 as Linux's inet_pton spells it: hex digits and colons, and an IPv4 dotted quad at the end
// ("::ffff:10.0.0.5"). asio checks the rest (group sizes, "::" at most once).
bool looks_like_ipv6(std::string_view host) {
    auto last_colon = host.rfind(':');
    if (last_colon == std::string_view::npos) {
        return false;
    }
    auto tail = host.substr(last_colon + 1);
    bool v4_tail = tail.find('.') != std::string_view::npos;
    if (v4_tail && !is_ipv4_dotted_quad(tail)) {
        return false;
    }
    auto groups = v4_tail ? host.substr(0, last_colon + 1) : host;
    return std::all_of(groups.begin(), groups.end(), [](char c) { return is_hex_digit(c) || c == ':'; });
}

}  // namespace

bool is_ipv4_dotted_quad(std::string_view host) {
    int octets = 0;
    std::size_t start = 0;
    while (true) {
        auto end = std::min(host.find('.', start), host.size());
        auto octet = host.substr(start, end - start);
        if (octet.empty() || octet.size() > 3 || (octet.size() > 1 && octet.front() == '0') ||
            !std::all_of(octet.begin(), octet.end(), is_digit) || std::stoi(std::string(octet)) > 255) {
            return false;
        }
        ++octets;
        if (end == host.size()) {
            return octets == 4;
        }
        start = end + 1;
    }
}

std::optional<boost::asio::ip::address> parse_ip_literal(std::string_view host) {
    boost::system::error_code ec;
    if (is_ipv4_dotted_quad(host)) {
        return boost::asio::ip::make_address_v4(std::string(host), ec);
    }
    if (!looks_like_ipv6(host.substr(0, host.find('%')))) {
        return std::nullopt;
    }
    auto v6 = boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) {
        return std::nullopt;
    }
    return v6;
}

bool is_ip_literal(std::string_view host) {
    return parse_ip_literal(host).has_value();
}

bool is_dns_name(std::string_view host) {
    if (!host.empty() && host.back() == '.') {
        host.remove_suffix(1);  // the fully qualified spelling "example.com."
    }
    if (host.empty() || host.size() > 253 || looks_like_ipv4(host)) {
        return false;
    }
    std::size_t start = 0;
    while (start <= host.size()) {
        auto end = host.find('.', start);
        auto label = host.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) {
            return false;
        }
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return true;
}

std::optional<std::string> ip_literal_problem(std::string_view host) {
    if (host.empty() || is_ip_literal(host)) {
        return std::nullopt;
    }
    std::string h(host);
    if (host.find(':') != std::string_view::npos) {
        return "'" + h + "' is not a valid IPv6 address";
    }
    if (looks_like_ipv4(host)) {
        return "'" + h + "' is not a valid IPv4 address (four numbers from 0 to 255, e.g. 10.0.0.5)";
    }
    return std::nullopt;
}

std::optional<std::string> host_problem(std::string_view host) {
    std::string h(host);
    if (host.empty()) {
        return "the host is empty";
    }
    if (auto problem = ip_literal_problem(host)) {
        return problem;
    }
    if (!is_ip_literal(host) && !is_dns_name(host)) {
        return "'" + h +
               "' is neither an IP address nor a valid host name (letters, digits, '-' and '.'; "
               "labels up to 63 characters)";
    }
    return std::nullopt;
}

}  // namespace sb

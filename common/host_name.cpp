#include "common/host_name.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

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

}  // namespace

bool is_ip_literal(std::string_view host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(host), ec);
    return !ec;
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

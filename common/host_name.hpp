#pragma once

// What a network host may be, checked without the network: an IPv4 or IPv6 literal, or a DNS name
// (RFC 1123). Every address the configuration holds goes through here before anything waits on it.

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

namespace sb {

// True for exactly four decimal numbers from 0 to 255 joined by dots, without leading zeros: what Linux's
// inet_pton takes. Windows' parser (behind asio's make_address there) also takes "10.0.0", "010.0.0.1"
// (octal) and "10.0.0.5:4789", so no validator may lean on it for IPv4.
bool is_ipv4_dotted_quad(std::string_view host);

// An IPv4 dotted quad or IPv6 literal (without brackets, optionally with a %zone), parsed the same way on
// every platform; nullopt for anything else, e.g. "[fd00::5]:2377", which Windows' parser takes as well.
std::optional<boost::asio::ip::address> parse_ip_literal(std::string_view host);

// True for a valid IPv4 dotted quad or IPv6 literal (without brackets).
bool is_ip_literal(std::string_view host);

// True for a host name by RFC 1123: labels of 1 to 63 letters, digits and '-', not starting or ending with
// '-', 253 characters at most, a last label that is not all digits (that is a mistyped IPv4 address).
bool is_dns_name(std::string_view host);

// Why `host` is a mistyped IP literal ("10.0.0.256", "1.2.3", "fe80::zz"), or nullopt when it is a valid
// IP literal or not meant as one.
std::optional<std::string> ip_literal_problem(std::string_view host);

// Why `host` (IPv6 without brackets) can never be reached, or nullopt when it is an IP literal or a DNS
// name. "10.0.0.256" is a wrong IPv4 address, not a host name.
std::optional<std::string> host_problem(std::string_view host);

}  // namespace sb

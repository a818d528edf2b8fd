#pragma once

// The node's own swarm addresses (--listen-addr, --advertise-addr, --data-path-addr), checked by the rules
// dockerd applies to them at join time, so that a value that can never work ends the agent at once (exit 2)
// instead of after its deadline. An interface name (eth0) is valid where docker takes one; whether that
// interface exists is for the engine to say when it joins.

#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace sb {

// The swarm port docker fills in where none is written.
inline constexpr unsigned default_swarm_port = 2377;

// --listen-addr: HOST:PORT, HOST or :PORT, HOST an IP address (0.0.0.0 allowed) or an interface name. As the
// docker CLI does, a missing host is 0.0.0.0 and a missing port 2377. Returns the HOST:PORT to send to the
// engine, or what is wrong.
sb::expected<std::string, std::string> normalize_listen_addr(std::string_view text);

// --advertise-addr: HOST or HOST:PORT, HOST a non-zero IP address or an interface name. Returns what is
// wrong.
sb::expected<void, std::string> check_advertise_addr(std::string_view text);

// --data-path-addr: a non-zero IP address or an interface name, without a port. Returns what is wrong.
sb::expected<void, std::string> check_data_path_addr(std::string_view text);

}  // namespace sb

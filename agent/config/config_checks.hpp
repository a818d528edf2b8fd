#pragma once

// What a command needs beyond well-formed values, checked before it takes the one-agent lock or waits on
// anything: a manager to join through, a readable token file, readable TLS files. A value that can never
// work ends the command at once with exit 2, even while another agent holds the lock.

#include "agent/config/config.hpp"

namespace sb {

struct Needs {
    bool managers = false;    // join, rejoin, run; leave --remove-node
    bool token_file = false;  // join, rejoin, run: the configured token file is read and checked
};

// Throws Failure(usage) naming the key, where it came from and what is wrong (never a file's content).
void check_needs(const Config& config, Needs needs);

}  // namespace sb

#pragma once

// Process exit codes. They are a stable contract: installers and VM extensions branch on them.
namespace sb {

enum class ExitCode : int {
    ok = 0,
    internal = 1,          // unexpected internal error
    usage = 2,             // usage or configuration error
    manager_deadline = 3,  // deadline passed while waiting for a manager
    join_rejected = 4,     // invalid or revoked token, CA mismatch, TLS or authentication failure
    engine_deadline = 5,   // deadline passed while waiting for the local Docker engine
    other_swarm = 6,       // the node already belongs to a different swarm
    already_running = 7,   // another swarm-bootstrap instance holds the lock
    not_member = 8,        // `status`: the node is not an active, ready member
    drain_deadline = 9,    // `drain` / `leave --drain`: the deadline passed with tasks still on this node
    quorum_refused = 10,   // demoting or leaving would cost the managers their quorum, or the last manager
    check_failed = 11,     // `check`, or a join's preflight: a named check found an error
};

constexpr int to_int(ExitCode c) noexcept {
    return static_cast<int>(c);
}

}  // namespace sb

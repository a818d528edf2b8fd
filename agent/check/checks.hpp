#pragma once

// One factory per check; all_checkers() lists them in the order they print.

#include <memory>

#include "agent/check/checker.hpp"

namespace sb::check {

std::unique_ptr<Checker> make_engine_version_check();  // EngineVersion
std::unique_ptr<Checker> make_version_gap_check();     // VersionGap
std::unique_ptr<Checker> make_manager_api_check();     // ManagerAPI
std::unique_ptr<Checker> make_swarm_port_check();      // SwarmPort
std::unique_ptr<Checker> make_gossip_port_check();     // GossipPort
std::unique_ptr<Checker> make_clock_skew_check();      // ClockSkew
std::unique_ptr<Checker> make_data_path_port_check();  // DataPathPort
std::unique_ptr<Checker> make_path_mtu_check();        // PathMTU
std::unique_ptr<Checker> make_hostname_check();        // Hostname
std::unique_ptr<Checker> make_node_address_check();    // NodeAddress
std::unique_ptr<Checker> make_node_ready_check();      // NodeReady
std::unique_ptr<Checker> make_node_labels_check();     // NodeLabels
std::unique_ptr<Checker> make_firewall_check();        // Firewall

}  // namespace sb::check

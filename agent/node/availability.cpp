#include "agent/node/availability.hpp"

#include "common/logging.hpp"

namespace sb {

ApiResult<AvailabilityUpdate> ensure_availability(EngineApi& manager, const std::string& node_id,
                                                  const std::string& availability, bool dry_run) {
    auto& log = sb::log("drain");
    constexpr int max_attempts = 5;
    ApiError last;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
        auto node = manager.node(node_id);
        if (!node) {
            return sb::unexpected(node.error());
        }
        if (node->availability == availability) {
            return AvailabilityUpdate::unchanged;
        }
        if (dry_run) {
            log.info("dry run: would set the availability of node {} from {} to {}", node_id,
                     node->availability, availability);
            return AvailabilityUpdate::would_update;
        }
        nlohmann::json spec = node->spec;  // whole Spec: a Spec without Labels or Role erases them
        spec["Availability"] = availability;
        auto updated = manager.update_node(node_id, node->version, spec);
        if (updated) {
            log.info("node {} is now {} (was {})", node_id, availability, node->availability);
            return AvailabilityUpdate::updated;
        }
        last = updated.error();
        if (last.kind != ApiErrorKind::out_of_sequence) {
            return sb::unexpected(last);
        }
        log.info("node {} changed while we set its availability (update out of sequence); reading it again",
                 node_id);
    }
    return sb::unexpected(last);
}

}  // namespace sb

#include "agent/node/labels.hpp"

#include "common/expected.hpp"
#include "common/logging.hpp"

namespace sb {

namespace {

ApiResult<LabelUpdate> merge_labels(EngineApi& manager, const std::string& node_id, std::optional<Node> known,
                                    const Labels& wanted, bool dry_run) {
    auto& log = sb::log("label");
    constexpr int max_attempts = 5;
    ApiError last;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
        ApiResult<Node> node = known ? ApiResult<Node>(*known) : manager.node(node_id);
        known.reset();
        if (!node) {
            return sb::unexpected(node.error());
        }
        std::string changes;
        nlohmann::json spec = node->spec;  // whole Spec: a Spec without Labels erases them
        if (!spec.contains("Labels") || !spec["Labels"].is_object()) {
            spec["Labels"] = nlohmann::json::object();
        }
        for (const auto& [k, v] : wanted) {
            auto it = node->labels.find(k);
            if (it == node->labels.end() || it->second != v) {
                spec["Labels"][k] = v;
                changes += (changes.empty() ? "" : ", ") + k + "=" + v;
            }
        }
        if (changes.empty()) {
            log.debug("node {} already carries its labels; nothing to update", node_id);
            return LabelUpdate::unchanged;
        }
        if (dry_run) {
            log.info("dry run: would set labels {} on node {}", changes, node_id);
            return LabelUpdate::would_update;
        }
        auto updated = manager.update_node(node_id, node->version, spec);
        if (updated) {
            log.info("labelled node {}: {}", node_id, changes);
            return LabelUpdate::updated;
        }
        last = updated.error();
        if (last.kind != ApiErrorKind::out_of_sequence) {
            return sb::unexpected(last);
        }
        log.info("node {} changed while we labelled it (update out of sequence); reading it again", node_id);
    }
    return sb::unexpected(last);
}

}  // namespace

ApiResult<LabelUpdate> ensure_labels(EngineApi& manager, const std::string& node_id, const Labels& wanted,
                                     bool dry_run) {
    return merge_labels(manager, node_id, std::nullopt, wanted, dry_run);
}

ApiResult<LabelUpdate> ensure_labels(EngineApi& manager, const Node& current, const Labels& wanted,
                                     bool dry_run) {
    return merge_labels(manager, current.id, current, wanted, dry_run);
}

}  // namespace sb

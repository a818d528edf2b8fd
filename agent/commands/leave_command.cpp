#include "agent/app/wiring.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/join/phases.hpp"
#include "agent/leave/leave.hpp"
#include "common/error.hpp"

namespace sb::commands {

int leave(const Config& config, bool force, bool remove_node, std::stop_token stop) {
    if (remove_node && config.managers.empty()) {
        throw Failure(ExitCode::usage,
                      "--remove-node needs a manager to remove the entry through; add --manager ADDR");
    }
    check_needs(config, {});
    auto lock = lock_or_fail(config);
    RealServices real(config, stop);
    JoinContext ctx(config, real.services());
    if (auto specs = parse_manager_specs(config.managers)) {
        ctx.managers = std::move(*specs);
    }
    auto old_id = phases::leave_local(ctx, force);
    if (remove_node && !old_id.empty()) {
        if (config.managers.empty()) {
            throw Failure(ExitCode::usage,
                          "--remove-node needs a manager to remove the entry through; add --manager ADDR");
        }
        phases::remove_nodes(ctx, {old_id});
    }
    return 0;
}

}  // namespace sb::commands

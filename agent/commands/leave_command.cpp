#include <memory>

#include "agent/app/wiring.hpp"
#include "agent/commands/command_line.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/join/phases.hpp"
#include "agent/leave/leave.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

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

namespace {

struct LeaveOptions {
    bool force = false;
    bool remove_node = false;
    bool drain = false;
    std::string deadline;
};

}  // namespace

void setup_leave(CLI::App& app, CommandLine& cl) {
    auto options = std::make_shared<LeaveOptions>();
    auto* sub = app.add_subcommand(
        "leave",
        "leave the swarm; a manager needs --force (or --drain, under the quorum guard) and is demoted first");
    add_config_options(*sub, cl, true);
    sub->add_flag("--force", options->force, "also leave when this node is a manager (it is demoted first)");
    sub->add_flag("--remove-node", options->remove_node,
                  "remove this node's entry through a manager afterwards");
    sub->add_flag("--drain", options->drain,
                  "drain first and wait (see 'drain'), demote a manager under the quorum guard, leave, then "
                  "remove this node's entry through a manager; works beside the installed service");
    sub->add_option("--deadline", options->deadline,
                    "with --drain: how long the drain may take (default: --timeout)")
        ->type_name("DURATION");
    cl.actions[sub] = [&cl, sub, options] {
        auto config = configure(cl, *sub);
        auto deadline = parse_deadline(options->deadline);
        if (!options->drain) {
            if (!options->deadline.empty()) {
                throw Failure(ExitCode::usage, "--deadline is for 'leave --drain'; add --drain");
            }
            return leave(config, options->force, options->remove_node, cl.stop.get_token());
        }
        if (options->remove_node) {
            log("leave").info("--drain removes this node's entry anyway; --remove-node adds nothing");
        }
        return leave_drained(config, deadline, options->force, cl.stop.get_token());
    };
}

}  // namespace sb::commands

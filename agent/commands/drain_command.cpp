#include <memory>

#include "agent/app/wiring.hpp"
#include "agent/commands/command_line.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/leave/graceful_exit.hpp"
#include "agent/leave/leaving_marker.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::commands {

namespace {

// The one-agent lock, or none when the installed service holds it: a drain or a leave by hand then goes
// ahead beside it, and the leaving marker (written before anything changes) pauses the service's healing.
std::unique_ptr<platform::InstanceLock> lock_or_share(const Config& config, const char* command) {
    auto lock = platform::try_lock_instance(config.lock_file);
    if (!lock) {
        log(command).info(
            "another swarm-bootstrap (the installed service) holds the lock {}: going ahead beside "
            "it; it does not heal this node while {} exists ('swarm-bootstrap drain --undo' "
            "resumes it)",
            config.lock_file, leaving_marker_path(config).string());
    }
    return lock;
}

}  // namespace

int drain(const Config& config, Duration deadline, bool undo, std::stop_token stop) {
    check_needs(config, {.managers = true});
    auto lock = lock_or_share(config, "drain");
    RealServices real(config, stop);
    if (undo) {
        run_undrain(config, real.services());
        return 0;
    }
    GracefulExitOptions options;
    options.leave = false;
    options.remove_entry = false;
    options.deadline = deadline;
    run_graceful_exit(config, real.services(), options);
    return 0;
}

int leave_drained(const Config& config, Duration deadline, bool force, std::stop_token stop) {
    check_needs(config, {.managers = true});
    auto lock = lock_or_share(config, "leave");
    RealServices real(config, stop);
    GracefulExitOptions options;
    options.deadline = deadline;
    options.force = force;
    run_graceful_exit(config, real.services(), options);
    return 0;
}

void setup_drain(CLI::App& app, CommandLine& cl) {
    struct DrainOptions {
        std::string deadline;
        bool undo = false;
    };
    auto options = std::make_shared<DrainOptions>();
    auto* sub = app.add_subcommand(
        "drain",
        "set this node's availability to drain through a manager and wait until its tasks run elsewhere "
        "(exit 9 at the deadline); works beside the installed service, whose healing it pauses");
    add_config_options(*sub, cl, true);
    sub->add_option("--deadline", options->deadline,
                    "how long to wait for the tasks to move (default: --timeout)")
        ->type_name("DURATION");
    sub->add_flag("--undo", options->undo,
                  "set the node back to active and let the installed service heal it again");
    cl.actions[sub] = [&cl, sub, options] {
        auto config = configure(cl, *sub);
        auto deadline = parse_deadline(options->deadline);
        if (options->undo && !options->deadline.empty()) {
            throw Failure(ExitCode::usage, "--undo does not wait: leave out --deadline");
        }
        return drain(config, deadline, options->undo, cl.stop.get_token());
    };
}

}  // namespace sb::commands

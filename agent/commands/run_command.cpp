#include "agent/app/wiring.hpp"
#include "agent/cloud/cloud_watch.hpp"
#include "agent/commands/command_line.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/state/state_file.hpp"
#include "agent/watch/watch.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/version.hpp"

namespace sb::commands {

int run(const Config& config, std::stop_source stop) {
    return service::host(
        "swarm-bootstrap", stop, [&](std::stop_token token, service::Supervisor& supervisor) {
            if (auto sink = service::make_event_sink("swarm-bootstrap")) {
                add_log_sink(sink);
            }
            // Inside the body, so that under the Windows SCM a second instance is reported as exit 7 too,
            // rather than as a service that never connected to the SCM.
            try {
                check_needs(config,
                            {.managers = true, .token_file = true});  // before the lock: exit 2, not 7
                auto lock = lock_or_fail(config);
                log("service").info("swarm-bootstrap {} starting: watching every {}", SB_VERSION,
                                    format_duration(config.interval));
                // The cloud's notices are watched on a thread of their own: a slow metadata service (Azure's
                // first answer) never holds up joining and healing.
                auto cloud_watch = cloud::CloudWatch::start(config, token);
                RealServices real(config, token);
                auto started = utc_now_rfc3339();
                int code = watch_and_heal(config, real.services(), supervisor,
                                          [&](const JoinResult* result, const std::string& failure, int c) {
                                              record(config, "run", started, result, failure, c);
                                          });
                log("service").info("swarm-bootstrap stopping");
                return code;
            } catch (const Failure& f) {
                log("service").error("{}", f.what());
                return to_int(f.code());
            }
        });
}

void setup_run(CLI::App& app, CommandLine& cl) {
    auto* sub =
        app.add_subcommand("run", "service mode: join, then watch and heal every --interval until stopped");
    add_config_options(*sub, cl, true);
    cl.actions[sub] = [&cl, sub] { return run(configure(cl, *sub), cl.stop); };
}

}  // namespace sb::commands

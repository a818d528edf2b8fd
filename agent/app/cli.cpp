#include "agent/app/cli.hpp"

#include <CLI/CLI.hpp>

#include "agent/commands/command_line.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/secret.hpp"

namespace sb {

namespace {

// The tag of the line that ends a command: its name ("[join] token file ..."), as each phase tags its own.
std::string command_tag(const CLI::App& app) {
    auto parsed = app.get_subcommands();
    return parsed.empty() ? std::string("swarm-bootstrap") : parsed.front()->get_name();
}

// The action of the subcommand that was parsed, run; what ends it early becomes the exit status and one line.
int run_parsed(const CLI::App& app, const commands::CommandLine& cl) {
    try {
        for (const auto& [sub, action] : cl.actions) {
            if (sub->parsed()) {
                return action();
            }
        }
        return to_int(ExitCode::usage);
    } catch (const Failure& f) {
        log(command_tag(app)).error("{}", f.what());
        return to_int(f.code());
    } catch (const Stopped&) {
        log(command_tag(app)).error("interrupted before the work was done; run the command again");
        return to_int(ExitCode::internal);
    } catch (const std::exception& e) {
        log(command_tag(app)).error("unexpected internal error: {}; please report it", e.what());
        return to_int(ExitCode::internal);
    }
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::stop_source stop, const MachineDefaults& defaults) {
    CLI::App app{"swarm-bootstrap: brings this machine's Docker engine into a swarm, reliably",
                 "swarm-bootstrap"};
    app.require_subcommand(1);
    commands::CommandLine cl(defaults, stop);
    for (auto setup : {commands::setup_join, commands::setup_rejoin, commands::setup_leave,
                       commands::setup_drain, commands::setup_status, commands::setup_check,
                       commands::setup_run, commands::setup_service, commands::setup_version}) {
        setup(app, cl);
    }

    // Until the configuration says otherwise, log text at info level.
    setup_logging(spdlog::level::info, LogFormat::text);
    try {
        // CLI11 takes the arguments reversed, without the program name (which argc == 0 leaves out too).
        std::vector<std::string> reversed(args.rbegin(), args.empty() ? args.rend() : args.rend() - 1);
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) {
            return app.exit(e);
        }
        std::fprintf(stderr, "swarm-bootstrap: %s; see 'swarm-bootstrap --help'\n", redact(e.what()).c_str());
        return to_int(ExitCode::usage);
    }
    return run_parsed(app, cl);
}

}  // namespace sb

#pragma once

// What every subcommand's command-line setup shares. Each subcommand has a setup_<name>() beside its
// commands::<name>() that adds it to the parser, binds its options and registers the action that runs it
// once parsed; run_cli (agent/app/cli.cpp) wires them together and turns Failure into the exit status.

#include <filesystem>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/config/config.hpp"
#include "common/duration.hpp"

namespace sb::commands {

struct CommandLine {
    CommandLine(const MachineDefaults& machine, std::stop_source stop_source)
        : defaults(machine), stop(std::move(stop_source)) {}

    const MachineDefaults& defaults;
    std::stop_source stop;
    // Command-line values by configuration key, filled by CLI11 and turned into the top configuration layer.
    std::map<std::string, std::vector<std::string>> values;
    std::map<const CLI::App*, std::map<std::string, CLI::Option*>> options;  // per subcommand
    std::string config_file;
    bool dry_run = false;
    // What each subcommand does once parsed.
    std::map<const CLI::App*, std::function<int()>> actions;
};

// Adds --config and an option for each configuration key (and --dry-run when `with_dry_run`).
void add_config_options(CLI::App& app, CommandLine& cl, bool with_dry_run);
// The configuration keys given on `app`'s command line.
ConfigLayer command_line_layer(const CommandLine& cl, const CLI::App& app);
// `file`: the configuration file to read; "" for the platform default, which may be absent. With
// `may_be_absent` (service install, where --config names the file to write) a missing file is no error.
Config load_config(const CommandLine& cl, const CLI::App& app, std::filesystem::path file,
                   bool may_be_absent);
// The configuration of `app` from --config, the environment and the command line; logging set up from it.
Config configure(const CommandLine& cl, const CLI::App& app);
// --deadline's value; 0 when not given.
Duration parse_deadline(const std::string& text);

void setup_join(CLI::App& app, CommandLine& cl);
void setup_rejoin(CLI::App& app, CommandLine& cl);
void setup_leave(CLI::App& app, CommandLine& cl);
void setup_drain(CLI::App& app, CommandLine& cl);
void setup_status(CLI::App& app, CommandLine& cl);
void setup_check(CLI::App& app, CommandLine& cl);
void setup_run(CLI::App& app, CommandLine& cl);
void setup_service(CLI::App& app, CommandLine& cl);  // install, uninstall and status
void setup_service_status(CLI::App& parent, CommandLine& cl);
void setup_version(CLI::App& app, CommandLine& cl);

}  // namespace sb::commands

#include <memory>

#include "agent/commands/command_line.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/config/config.hpp"
#include "agent/platform/platform.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::commands {

int service_install(const nlohmann::json& settings, service::InstallOptions options) {
    if (options.executable.empty()) {
        options.executable = platform::executable_path();
    }
    if (options.config_file.empty()) {
        options.config_file = platform::default_config_path();
    }
    if (!settings.empty()) {
        // The settings given to `service install` become the service's configuration file (mode 0600: it may
        // name a token file or TLS key). An installer then needs no JSON tooling of its own.
        auto path =
            options.root.empty() ? options.config_file : options.root / options.config_file.relative_path();
        // Keys already in the file stay unless given again; labels merge key by key, as the layers do.
        nlohmann::json merged = nlohmann::json::object();
        if (std::filesystem::exists(path)) {
            merged = read_config_file(path).values;
        }
        for (const auto& [key, value] : settings.items()) {
            if (key == "labels" && merged.contains(key) && merged[key].is_object()) {
                merged[key].update(value);
            } else {
                merged[key] = value;
            }
        }
        if (options.dry_run) {
            log("service").info("dry run: would write {}", path.string());
        } else {
            platform::write_file_atomically(path, merged.dump(2) + "\n");
            log("service").info("wrote the configuration {}", path.string());
        }
    }
    service::install(options);
    return 0;
}

int service_uninstall(service::InstallOptions options) {
    service::uninstall(options);
    if (!options.purge) {
        return 0;  // the configuration and state stay for the next install
    }
    // --purge: the directories of the configuration file and the state file (on Windows both
    // %ProgramData%\swarm-bootstrap: config, state, log, token copy).
    for (const auto& file : {platform::default_config_path(), platform::default_state_path()}) {
        auto dir =
            options.root.empty() ? file.parent_path() : options.root / file.parent_path().relative_path();
        if (options.dry_run) {
            log("service").info("dry run: would delete {}", dir.string());
            continue;
        }
        std::error_code ec;
        auto removed = std::filesystem::remove_all(dir, ec);
        if (ec) {
            throw Failure(ExitCode::internal, "cannot delete " + dir.string() + ": " + ec.message());
        }
        if (removed > 0) {
            log("service").info("deleted {} ({} files and directories)", dir.string(), removed);
        }
    }
    return 0;
}

namespace {

struct ServiceInstallOptions {
    service::InstallOptions install;
    std::vector<std::string> depends_on;
    bool no_depends = false;
    bool no_start = false;
    std::string root;
};

// service install writes its settings to --config (inside --root) and reads what is there already; with
// --root and a --config that exists only outside it (an installer checking a staged file), it reads that.
std::filesystem::path config_to_read(const CommandLine& cl, const std::string& root) {
    std::filesystem::path config_file = cl.config_file;
    if (!root.empty()) {
        auto target = config_file.empty() ? cl.defaults.config_file : config_file;
        auto inside = std::filesystem::path(root) / target.relative_path();
        if (std::filesystem::exists(inside) || config_file.empty() || !std::filesystem::exists(config_file)) {
            config_file = inside;
        }
    }
    return config_file;
}

int run_service_install(const CommandLine& cl, const CLI::App& sub, ServiceInstallOptions& o) {
    auto config = load_config(cl, sub, config_to_read(cl, o.root), true);
    setup_logging(config.log_level, config.log_format);
    o.install.root = o.root;
    o.install.config_file = cl.config_file;  // empty: the platform default
    o.install.dry_run = cl.dry_run;
    o.install.start = !o.no_start && o.root.empty();
    if (o.no_depends) {
        o.install.depends_on.clear();
    } else if (!o.depends_on.empty()) {
        o.install.depends_on.clear();
        for (const auto& d : o.depends_on) {
            if (!d.empty()) {
                o.install.depends_on.push_back(d);
            }
        }
    }
    nlohmann::json settings = nlohmann::json::object();
    for (const auto& [key, value] : command_line_layer(cl, sub).values) {
        settings[key] = value;
    }
    return service_install(settings, o.install);
}

void setup_service_install(CLI::App& parent, CommandLine& cl) {
    auto o = std::make_shared<ServiceInstallOptions>();
    auto* sub = parent.add_subcommand("install", "install, enable and start the service");
    add_config_options(*sub, cl, true);
    sub->add_option("--depends-on", o->depends_on,
                    "a service the agent starts after (default docker; repeatable)")
        ->type_name("SERVICE")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->add_flag("--no-depends", o->no_depends, "depend on no other service");
    sub->add_flag("--no-start", o->no_start, "install and enable, but do not start");
    // An installer passes one value per property (the MSI: MANAGERS=a,b LABELS=k=v,k2=v2): here the two list
    // options also take comma-separated lists, as SWARM_BOOTSTRAP_MANAGERS and SWARM_BOOTSTRAP_LABELS do.
    cl.options[sub]["managers"]->delimiter(',');
    cl.options[sub]["labels"]->delimiter(',');
    sub->add_option("--root", o->root,
                    "Linux: install into this root directory (like systemctl --root); implies --no-start")
        ->type_name("DIR");
    cl.actions[sub] = [&cl, sub, o] { return run_service_install(cl, *sub, *o); };
}

void setup_service_uninstall(CLI::App& parent, CommandLine& cl) {
    struct UninstallOptions {
        service::InstallOptions uninstall;
        std::string root;
    };
    auto o = std::make_shared<UninstallOptions>();
    auto* sub = parent.add_subcommand("uninstall", "stop and remove the service");
    sub->add_option("--root", o->root, "Linux: remove from this root directory")->type_name("DIR");
    sub->add_flag("--dry-run", cl.dry_run, "print what would be done, change nothing");
    sub->add_flag("--purge", o->uninstall.purge,
                  "also delete the configuration, state and log (the MSI's PURGE=1)");
    cl.actions[sub] = [&cl, o] {
        o->uninstall.root = o->root;
        o->uninstall.dry_run = cl.dry_run;
        return service_uninstall(o->uninstall);
    };
}

}  // namespace

void setup_service(CLI::App& app, CommandLine& cl) {
    auto* service =
        app.add_subcommand("service", "register or remove `run` as a systemd unit or Windows service");
    service->require_subcommand(1);
    setup_service_install(*service, cl);
    setup_service_uninstall(*service, cl);
    setup_service_status(*service, cl);
}

}  // namespace sb::commands

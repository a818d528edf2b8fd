// Linux: `service install` / `service uninstall` write and remove the systemd unit and drive systemctl.
// The unit comes from one template, the same text as installer-linux/swarm-bootstrap.service (a test diffs
// them). systemctl runs through Boost.Process with an argument vector: no shell.

// Boost.Process v1 otherwise needs the compiled Boost.Filesystem.
#ifndef BOOST_PROCESS_USE_STD_FS
#define BOOST_PROCESS_USE_STD_FS
#endif

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <cctype>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "agent/platform/platform.hpp"
#include "agent/service/service_host.hpp"
#include "agent/service/service_status.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::service {

namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;

// installer-linux/swarm-bootstrap.service with three placeholders: @AFTER@ and @WANTS@ (the dependencies,
// then network-online.target) and @EXEC_START@. Change both together: tests/installer/unit_matches.sh.
constexpr std::string_view unit_template =
    R"(# swarm-bootstrap: keeps this machine's Docker engine in its swarm (`swarm-bootstrap run`).
# Installed by `swarm-bootstrap service install`, installer-linux/install.sh or the .deb. The agent writes
# the same unit from one template (agent/service/service_install_systemd.cpp); a test keeps them identical.
# Local changes belong in a drop-in: systemctl edit swarm-bootstrap

[Unit]
Description=swarm-bootstrap: keep this node in its Docker swarm
Documentation=man:swarm-bootstrap(8)
After=@AFTER@
Wants=@WANTS@

[Service]
# READY=1 comes after the first successful join, so `systemctl start` returns once the node is in the swarm.
# That may take as long as the managers take to appear: systemd must not kill a waiting agent.
Type=notify
NotifyAccess=main
TimeoutStartSec=infinity
ExecStart=@EXEC_START@
Restart=on-failure
RestartSec=5s
# Exit 2 is a bad configuration: restarting does not fix it; fix the file, then systemctl restart.
RestartPreventExitStatus=2
# The agent checks the node every --interval and sends WATCHDOG=1 when the unit sets a watchdog. To have
# systemd restart a hung agent, add in a drop-in (at least twice the interval, default 30s):
#   WatchdogSec=2min
TimeoutStopSec=30s

# /var/lib/swarm-bootstrap (state.json) and /run/swarm-bootstrap, created and kept writable by systemd.
StateDirectory=swarm-bootstrap
StateDirectoryMode=0700
RuntimeDirectory=swarm-bootstrap
RuntimeDirectoryMode=0700
UMask=0077

# Hardening. The file system is read-only for the agent except its state directory and its lock file
# (/run/swarm-bootstrap.lock, created by the line with "+", which runs outside the sandbox). The Docker
# socket needs no exception: connecting to a unix socket works on a read-only mount.
ExecStartPre=+/usr/bin/touch /run/swarm-bootstrap.lock
ReadWritePaths=-/run/swarm-bootstrap.lock
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
# Root owns the socket, the configuration and the state; reading a token file or TLS key that another user
# owns needs CAP_DAC_READ_SEARCH. Nothing else.
CapabilityBoundingSet=CAP_DAC_READ_SEARCH
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
# AF_UNIX: the Docker socket, journald, sd_notify; AF_INET/AF_INET6: the managers; AF_NETLINK: name
# resolution (getaddrinfo asks the kernel which address families are configured).
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM

[Install]
WantedBy=multi-user.target
)";

void replace_all(std::string& text, std::string_view from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
}

void check_name(const std::string& name) {
    bool ok = !name.empty() && name.size() < 200;
    for (char c : name) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == ':' || c == '@';
        ok = ok && allowed;
    }
    if (!ok) {
        throw Failure(
            ExitCode::usage,
            "service name '" + name + "' is not a valid systemd unit name; use letters, digits and -_.:@");
    }
}

// One word of ExecStart: systemd splits on spaces, understands "..." with C escapes, and expands % and $.
std::string exec_word(const std::string& word) {
    bool plain = !word.empty();
    std::string quoted = "\"";
    for (unsigned char c : word) {
        if (c < 0x20 || c == 0x7f) {
            throw Failure(ExitCode::usage,
                          "the path '" + word +
                              "' contains a control character; a systemd unit cannot run it; "
                              "move the file to a plain path");
        }
        plain = plain && (std::isalnum(c) != 0 ||
                          std::string_view("/._-+,:=@").find(static_cast<char>(c)) != std::string_view::npos);
        switch (c) {
            case '"':
            case '\\':
                quoted += '\\';
                quoted += static_cast<char>(c);
                break;
            case '%':
                quoted += "%%";
                break;
            case '$':
                quoted += "$$";
                break;
            default:
                quoted += static_cast<char>(c);
        }
    }
    return plain ? word : quoted + "\"";
}

std::string unit_dependency(const std::string& dep) {
    // "docker" means docker.service; "docker.socket" or "foo.target" stay as they are.
    return dep.find('.') == std::string::npos ? dep + ".service" : dep;
}

bool has_root(const InstallOptions& options) {
    return !options.root.empty();
}

// Where `path`, as the running system will see it, lives now: under the root, or the path itself.
fs::path host_path(const InstallOptions& options, const fs::path& path) {
    return has_root(options) ? options.root / path.relative_path() : path;
}

// A path as the running system sees it. Under --root, a path inside the root (the installer runs
// ROOT/usr/bin/swarm-bootstrap) loses the root prefix; any other path is taken as the system's already.
fs::path system_path(const InstallOptions& options, const fs::path& path) {
    fs::path absolute = fs::absolute(path).lexically_normal();
    if (!has_root(options)) {
        return absolute;
    }
    fs::path root = fs::absolute(options.root).lexically_normal();
    auto rel = absolute.lexically_relative(root);
    if (!rel.empty() && *rel.begin() != "..") {
        return (fs::path("/") / rel).lexically_normal();
    }
    return absolute;
}

fs::path unit_path(const InstallOptions& options) {
    return host_path(options, fs::path("/etc/systemd/system") / (options.name + ".service"));
}

std::string render_unit(const InstallOptions& options) {
    std::string after;
    std::string wants;
    for (const auto& dep : options.depends_on) {
        if (dep.empty() || dep.find_first_of(" \t\n\"'\\") != std::string::npos) {
            throw Failure(ExitCode::usage,
                          "--depends-on '" + dep + "' is not a unit name; write e.g. docker");
        }
        after += unit_dependency(dep) + " ";
        wants += unit_dependency(dep) + " ";
    }
    after += "network-online.target";
    wants += "network-online.target";

    auto executable = options.executable.empty() ? platform::executable_path() : options.executable;
    auto config = options.config_file.empty() ? platform::default_config_path() : options.config_file;
    auto program = system_path(options, executable);
    if (has_root(options) && !fs::exists(host_path(options, program))) {
        log("service").warn("the unit runs {}, which does not exist under {}; put the binary there",
                            program.string(), options.root.string());
    }
    std::string exec_start =
        exec_word(program.string()) + " run --config " + exec_word(system_path(options, config).string());

    std::string text(unit_template);
    replace_all(text, "@AFTER@", after);
    replace_all(text, "@WANTS@", wants);
    replace_all(text, "@EXEC_START@", exec_start);
    return text;
}

std::string describe(const std::vector<std::string>& args) {
    std::string text = "systemctl";
    for (const auto& a : args) {
        text += " " + a;
    }
    return text;
}

fs::path find_systemctl() {
    auto found = bp::search_path("systemctl");
    if (found.empty()) {
        throw Failure(ExitCode::usage,
                      "systemctl was not found in PATH; service install/uninstall needs systemd; without "
                      "systemd run `swarm-bootstrap join` instead");
    }
    return found;
}

struct Outcome {
    int code = 0;
    std::string last_line;
};

// Runs systemctl with these arguments, logging its output line by line (or collecting it into `lines`); the
// exit code and last line.
Outcome systemctl(const std::vector<std::string>& args, std::vector<std::string>* lines = nullptr) {
    auto exe = find_systemctl();
    log("service").debug("running {}", describe(args));
    bp::ipstream output;
    Outcome outcome;
    try {
        // The agent blocks SIGINT/SIGTERM in all its threads (a signal thread waits for them); the child
        // must not inherit that mask.
        bp::child child(
            exe, bp::args(args), bp::std_in<bp::null, (bp::std_out & bp::std_err)> output,
            bp::extend::on_exec_setup = [](auto&) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, nullptr);
            });
        std::string line;
        while (std::getline(output, line)) {
            if (lines != nullptr) {
                lines->push_back(line);
            } else if (!line.empty()) {
                log("service").info("systemctl: {}", line);
            }
            if (!line.empty()) {
                outcome.last_line = line;
            }
        }
        child.wait();
        outcome.code = child.exit_code();
    } catch (const bp::process_error& e) {
        throw Failure(ExitCode::internal, "cannot run " + exe.string() + ": " + e.what());
    }
    return outcome;
}

// systemctl that must succeed.
void systemctl_or_fail(const std::vector<std::string>& args, const std::string& what_to_do) {
    auto outcome = systemctl(args);
    if (outcome.code != 0) {
        throw Failure(ExitCode::internal,
                      describe(args) + " failed (exit " + std::to_string(outcome.code) + ")" +
                          (outcome.last_line.empty() ? "" : ": " + outcome.last_line) + "; " + what_to_do);
    }
}

// The leading systemctl arguments: --root=DIR when installing into a directory.
std::vector<std::string> with_root(const InstallOptions& options, std::vector<std::string> args) {
    if (has_root(options)) {
        args.insert(args.begin(), "--root=" + fs::absolute(options.root).string());
    }
    return args;
}

// Live operations need systemd running as PID 1; --root works anywhere.
void require_running_systemd(const InstallOptions& options) {
    if (!has_root(options) && sd_booted() <= 0) {
        throw Failure(
            ExitCode::usage,
            "systemd is not running on this machine; write and enable the unit offline with --root / "
            "(it starts at the next boot), or run `swarm-bootstrap join` instead");
    }
}

void would(const std::string& action) {
    log("service").info("dry run: would {}", action);
}

}  // namespace

void install(const InstallOptions& options) {
    check_name(options.name);
    const std::string unit = options.name + ".service";
    const auto path = unit_path(options);
    const auto text = render_unit(options);
    const bool live = !has_root(options);
    const bool start = live && options.start;

    if (options.dry_run) {
        would("write " + path.string());
        log("service").debug("the unit:\n{}", text);
        if (live) {
            would("run systemctl daemon-reload");
        }
        would("run " + describe(with_root(options, {"enable", unit})));
        if (start) {
            would("run systemctl restart --no-block " + unit);
        }
        return;
    }

    require_running_systemd(options);
    find_systemctl();  // before writing anything
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
        throw Failure(ExitCode::internal, "cannot create " + path.parent_path().string() + ": " +
                                              ec.message() + "; run as root or choose another --root");
    }
    platform::write_file_atomically(path, text);
    fs::permissions(
        path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
        ec);
    log("service").info("wrote {}", path.string());

    if (live) {
        systemctl_or_fail({"daemon-reload"}, "check `journalctl -b -u init.scope`");
    }
    systemctl_or_fail(with_root(options, {"enable", unit}),
                      "check the unit with `systemd-analyze verify " + path.string() + "`");
    log("service").info("enabled {}", unit);
    if (start) {
        // restart: a reinstall applies a changed configuration. --no-block: the start job ends only when the
        // node has joined, which may take as long as the managers take to appear.
        systemctl_or_fail({"restart", "--no-block", unit}, "see `systemctl status " + unit + "`");
        log("service").info(
            "started {}; it reports ready once the node is in the swarm: systemctl status {}; journalctl -u "
            "{} -f",
            unit, unit, options.name);
    } else if (live) {
        log("service").info("not started (--no-start); start it with: systemctl start {}", unit);
    } else {
        log("service").info("installed into {}; it starts when that system boots", options.root.string());
    }
}

void uninstall(const InstallOptions& options) {
    check_name(options.name);
    const std::string unit = options.name + ".service";
    const auto path = unit_path(options);
    const bool live = !has_root(options);
    const bool present = fs::exists(path);

    if (options.dry_run) {
        if (live) {
            would("run systemctl stop " + unit);
        }
        would("run " + describe(with_root(options, {"disable", unit})));
        would(present ? "remove " + path.string() : "find no " + path.string() + ": nothing to do");
        if (live) {
            would("run systemctl daemon-reload");
        }
        return;
    }

    if (!present) {
        for (const char* dir : {"/lib/systemd/system", "/usr/lib/systemd/system"}) {
            if (fs::exists(host_path(options, fs::path(dir) / unit))) {
                throw Failure(ExitCode::usage, unit + " comes from the swarm-bootstrap package (" + dir +
                                                   "); remove it with: apt-get remove swarm-bootstrap");
            }
        }
        log("service").info("{} is not installed ({} does not exist); nothing to do", unit, path.string());
        return;
    }
    require_running_systemd(options);
    find_systemctl();
    if (live) {
        // A unit that is not running fails to stop harmlessly.
        if (auto outcome = systemctl({"stop", unit}); outcome.code == 0) {
            log("service").info("stopped {}", unit);
        }
    }
    systemctl_or_fail(with_root(options, {"disable", unit}),
                      "remove the links to " + unit + " under /etc/systemd/system by hand");
    log("service").info("disabled {}", unit);
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) {
        throw Failure(ExitCode::internal, "cannot remove " + path.string() + ": " + ec.message() +
                                              "; remove it by hand, then run systemctl daemon-reload");
    }
    log("service").info("removed {}", path.string());
    if (live) {
        systemctl_or_fail({"daemon-reload"}, "check `journalctl -b -u init.scope`");
        systemctl({"reset-failed", unit});  // forget a failed state; fails harmlessly when there is none
    }
}

namespace {

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text + " ") {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!word.empty()) {
                out.push_back(word);
            }
            word.clear();
        } else {
            word.push_back(c);
        }
    }
    return out;
}

// ExecStart as systemctl show prints it: "{ path=/usr/bin/x ; argv[]=/usr/bin/x run --config /etc/... ; ...
// }".
std::string exec_start_command(const std::string& value) {
    auto begin = value.find("argv[]=");
    if (begin == std::string::npos) {
        return value;
    }
    begin += 7;
    auto end = value.find(" ;", begin);
    return value.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

ServiceReadback read_back(const std::string& name) {
    check_name(name);
    const std::string unit = name + ".service";
    if (sd_booted() <= 0) {
        throw Failure(ExitCode::usage,
                      "systemd is not running on this machine, so there is no service to report on; "
                      "`swarm-bootstrap status` reports on the node");
    }
    std::vector<std::string> lines;
    auto outcome =
        systemctl({"show", unit,
                   "--property=LoadState,ActiveState,SubState,UnitFileState,FragmentPath,ExecStart,"
                   "User,Wants,Requires,After,Restart,RestartUSec,Type,WatchdogUSec,MainPID"},
                  &lines);
    if (outcome.code != 0) {
        throw Failure(ExitCode::internal, "systemctl show " + unit + " failed (exit " +
                                              std::to_string(outcome.code) + "): " + outcome.last_line);
    }
    std::map<std::string, std::string> props;
    for (const auto& line : lines) {
        if (auto eq = line.find('='); eq != std::string::npos) {
            props[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    ServiceReadback out;
    auto& settings = out.settings;
    settings["manager"] = "systemd";
    if (props["LoadState"] != "loaded") {
        return out;  // "not-found": no such unit
    }
    out.installed = true;
    settings["state"] = props["ActiveState"] == "active" && props["SubState"] == "running"
                            ? std::string("running")
                            : props["ActiveState"] + " (" + props["SubState"] + ")";
    if (props["MainPID"] != "0" && !props["MainPID"].empty()) {
        settings["pid"] = std::stol(props["MainPID"]);
    }
    settings["start_type"] = props["UnitFileState"];  // enabled, disabled, static, ...
    settings["unit_file"] = props["FragmentPath"];
    settings["command"] = exec_start_command(props["ExecStart"]);
    settings["account"] = props["User"].empty() ? std::string("root") : props["User"];
    settings["type"] = props["Type"];
    settings["wants"] = words(props["Wants"]);
    settings["requires"] = words(props["Requires"]);
    settings["after"] = words(props["After"]);
    settings["restart"] = props["Restart"];
    settings["restart_delay"] = props["RestartUSec"];
    settings["watchdog"] = props["WatchdogUSec"];
    return out;
}

}  // namespace sb::service

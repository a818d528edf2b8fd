// Linux: the systemd unit comes from one template, the same text as installer-linux/swarm-bootstrap.service
// (tests/installer/test_unit_matches_template.sh diffs them).

#include "agent/service/systemd_unit.hpp"

#include <cctype>
#include <string_view>

#include "agent/platform/platform.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::service::systemd {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

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

bool has_root(const InstallOptions& options) {
    return !options.root.empty();
}

// Where `path`, as the running system will see it, lives now: under the root, or the path itself.
fs::path host_path(const InstallOptions& options, const fs::path& path) {
    return has_root(options) ? options.root / path.relative_path() : path;
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

}  // namespace sb::service::systemd

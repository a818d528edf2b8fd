// Linux: `service install` / `service uninstall` write and remove the systemd unit (systemd_unit.hpp) and
// drive systemctl (systemctl.hpp).

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "agent/platform/platform.hpp"
#include "agent/service/service_host.hpp"
#include "agent/service/systemctl.hpp"
#include "agent/service/systemd_unit.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::service {

namespace {

namespace fs = std::filesystem;
using systemd::check_name;
using systemd::describe;
using systemd::find_systemctl;
using systemd::has_root;
using systemd::host_path;
using systemd::render_unit;
using systemd::require_running_systemd;
using systemd::systemctl;
using systemd::systemctl_or_fail;
using systemd::unit_path;
using systemd::with_root;

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

}  // namespace sb::service

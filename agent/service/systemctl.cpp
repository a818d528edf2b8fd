// Linux: systemctl through Boost.Process with an argument vector: no shell.

// Boost.Process v1 otherwise needs the compiled Boost.Filesystem.
#ifndef BOOST_PROCESS_USE_STD_FS
#define BOOST_PROCESS_USE_STD_FS
#endif

#include "agent/service/systemctl.hpp"

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <filesystem>

#include "agent/service/systemd_unit.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::service::systemd {

namespace bp = boost::process;
namespace fs = std::filesystem;

std::filesystem::path find_systemctl() {
    auto found = bp::search_path("systemctl");
    if (found.empty()) {
        throw Failure(ExitCode::usage,
                      "systemctl was not found in PATH; service install/uninstall needs systemd; without "
                      "systemd run `swarm-bootstrap join` instead");
    }
    return found;
}

std::string describe(const std::vector<std::string>& args) {
    std::string text = "systemctl";
    for (const auto& a : args) {
        text += " " + a;
    }
    return text;
}

Outcome systemctl(const std::vector<std::string>& args, std::vector<std::string>* lines) {
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

void systemctl_or_fail(const std::vector<std::string>& args, const std::string& what_to_do) {
    auto outcome = systemctl(args);
    if (outcome.code != 0) {
        throw Failure(ExitCode::internal,
                      describe(args) + " failed (exit " + std::to_string(outcome.code) + ")" +
                          (outcome.last_line.empty() ? "" : ": " + outcome.last_line) + "; " + what_to_do);
    }
}

std::vector<std::string> with_root(const InstallOptions& options, std::vector<std::string> args) {
    if (has_root(options)) {
        args.insert(args.begin(), "--root=" + fs::absolute(options.root).string());
    }
    return args;
}

void require_running_systemd(const InstallOptions& options) {
    if (!has_root(options) && sd_booted() <= 0) {
        throw Failure(
            ExitCode::usage,
            "systemd is not running on this machine; write and enable the unit offline with --root / "
            "(it starts at the next boot), or run `swarm-bootstrap join` instead");
    }
}

}  // namespace sb::service::systemd

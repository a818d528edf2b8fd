// sb_service_probe: a minimal service built on sb::service (the same host(), install() and uninstall() that
// swarm-bootstrap.exe uses), for the SCM test under wine (service_test.sh). Its body writes a state file next
// to its --config file, then waits for the stop request.
//
//   sb_service_probe install NAME CONFIG [--no-start] [--depends-on SERVICE]
//   sb_service_probe uninstall NAME
//   sb_service_probe run --config CONFIG          (what the SCM starts)
//   sb_service_probe show NAME                    print the service's configuration and state
//   sb_service_probe wait NAME STATE TIMEOUT_MS   wait for RUNNING/STOPPED; print the Unix time in ms
//   sb_service_probe stop NAME TIMEOUT_MS         send the stop control (as `sc stop` does) and wait for
//                                                 STOPPED; print the milliseconds between the two
//   sb_service_probe acl PATH                     print the file's access list (SDDL)

#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/platform/platform.hpp"
#include "agent/service/service_host.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/win32.hpp"

using namespace sb;

namespace {

long long unix_ms() {
    FILETIME ft;
    ::GetSystemTimePreciseAsFileTime(&ft);
    ULARGE_INTEGER t;
    t.LowPart = ft.dwLowDateTime;
    t.HighPart = ft.dwHighDateTime;
    return static_cast<long long>((t.QuadPart - 116444736000000000ULL) / 10000);
}

int run(const std::filesystem::path& config, std::stop_source stop) {
    auto state = config.parent_path() / "state.json";
    return service::host("sb-probe", stop, [&](std::stop_token token, service::Supervisor& supervisor) {
        if (auto sink = service::make_event_sink("sb-probe")) {
            add_log_sink(sink);
        }
        log("service").info("probe started with --config {}", config.string());
        auto write = [&](const std::string& what) {
            platform::write_file_atomically(
                state, "{\"state\":\"" + what + "\",\"pid\":" + std::to_string(::GetCurrentProcessId()) +
                           ",\"config\":\"" + config.filename().string() +
                           "\",\"at_ms\":" + std::to_string(unix_ms()) + "}\n");
        };
        write("running");
        supervisor.ready();
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait(lock, token, [] { return false; });
        write("stopped");
        log("service").info("probe stopping");
        return 0;
    });
}

std::string state_name(DWORD s) {
    switch (s) {
        case SERVICE_STOPPED:
            return "STOPPED";
        case SERVICE_START_PENDING:
            return "START_PENDING";
        case SERVICE_STOP_PENDING:
            return "STOP_PENDING";
        case SERVICE_RUNNING:
            return "RUNNING";
        default:
            return std::to_string(s);
    }
}

int show(const std::string& name) {
    SC_HANDLE scm = ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
    SC_HANDLE svc =
        ::OpenServiceW(scm, win32::widen(name).c_str(), SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS);
    if (svc == nullptr) {
        std::printf("not installed: %s\n", win32::error_text(::GetLastError()).c_str());
        return 3;
    }
    std::vector<BYTE> buf(8192);
    DWORD needed = 0;
    if (::QueryServiceConfigW(svc, reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data()),
                              static_cast<DWORD>(buf.size()), &needed)) {
        auto* c = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data());
        std::printf("binary_path: %s\n", win32::narrow(c->lpBinaryPathName).c_str());
        std::printf("start_type: %s\n", c->dwStartType == SERVICE_AUTO_START ? "auto" : "other");
        std::string deps;
        for (const wchar_t* d = c->lpDependencies; d != nullptr && *d != L'\0'; d += wcslen(d) + 1) {
            deps += (deps.empty() ? "" : ",") + win32::narrow(d);
        }
        std::printf("depends_on: %s\n", deps.empty() ? "(none)" : deps.c_str());
        std::printf("display_name: %s\n", win32::narrow(c->lpDisplayName).c_str());
    }
    if (::QueryServiceConfig2W(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, buf.data(),
                               static_cast<DWORD>(buf.size()), &needed)) {
        auto* d = reinterpret_cast<SERVICE_DELAYED_AUTO_START_INFO*>(buf.data());
        std::printf("delayed_auto_start: %s\n", d->fDelayedAutostart ? "yes" : "no");
    } else {
        std::printf("delayed_auto_start: ? (%s)\n", win32::error_text(::GetLastError()).c_str());
    }
    if (::QueryServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, buf.data(),
                               static_cast<DWORD>(buf.size()), &needed)) {
        auto* f = reinterpret_cast<SERVICE_FAILURE_ACTIONSW*>(buf.data());
        std::printf("failure_actions:");
        for (DWORD i = 0; i < f->cActions; ++i) {
            std::printf(" %s/%lums", f->lpsaActions[i].Type == SC_ACTION_RESTART ? "restart" : "other",
                        f->lpsaActions[i].Delay);
        }
        std::printf(" reset=%lus\n", f->dwResetPeriod);
    } else {
        std::printf("failure_actions: ? (%s)\n", win32::error_text(::GetLastError()).c_str());
    }
    if (::QueryServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, buf.data(), static_cast<DWORD>(buf.size()),
                               &needed)) {
        auto* d = reinterpret_cast<SERVICE_DESCRIPTIONW*>(buf.data());
        std::printf("description: %s\n", d->lpDescription ? win32::narrow(d->lpDescription).c_str() : "");
    }
    SERVICE_STATUS s{};
    ::QueryServiceStatus(svc, &s);
    std::printf("state: %s\n", state_name(s.dwCurrentState).c_str());
    ::CloseServiceHandle(svc);
    ::CloseServiceHandle(scm);
    return 0;
}

// The service NAME opened with ACCESS; nullptr (and "not installed" printed) when there is none.
SC_HANDLE open_service(const std::string& name, DWORD access) {
    SC_HANDLE scm = ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
    SC_HANDLE svc = ::OpenServiceW(scm, win32::widen(name).c_str(), access);
    if (svc == nullptr) {
        std::printf("not installed\n");
    }
    return svc;
}

// Polls until the service is in STATE (true), or prints the state it is still in after TIMEOUT_MS (false).
bool await_state(SC_HANDLE svc, const std::string& state, int timeout_ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    SERVICE_STATUS s{};
    for (;;) {
        ::QueryServiceStatus(svc, &s);
        if (state_name(s.dwCurrentState) == state) {
            return true;
        }
        if (std::chrono::steady_clock::now() > until) {
            std::printf("still %s\n", state_name(s.dwCurrentState).c_str());
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

int wait(const std::string& name, const std::string& state, int timeout_ms) {
    SC_HANDLE svc = open_service(name, SERVICE_QUERY_STATUS);
    if (svc == nullptr) {
        return 3;
    }
    if (!await_state(svc, state, timeout_ms)) {
        return 1;
    }
    std::printf("%lld\n", unix_ms());
    return 0;
}

// The service's own stop latency: from the stop control to the SCM reporting STOPPED, in one process, so that
// starting wine programs (about 0.2-0.5 s each under load) is not part of the figure.
int stop(const std::string& name, int timeout_ms) {
    SC_HANDLE svc = open_service(name, SERVICE_STOP | SERVICE_QUERY_STATUS);
    if (svc == nullptr) {
        return 3;
    }
    auto started = std::chrono::steady_clock::now();
    SERVICE_STATUS s{};
    if (!::ControlService(svc, SERVICE_CONTROL_STOP, &s)) {
        std::printf("stop control refused: %s\n", win32::error_text(::GetLastError()).c_str());
        return 1;
    }
    if (!await_state(svc, "STOPPED", timeout_ms)) {
        return 1;
    }
    auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::printf("%lld\n", static_cast<long long>(took.count()));
    return 0;
}

int acl(const std::string& path) {
    PSECURITY_DESCRIPTOR sd = nullptr;
    std::wstring wpath = win32::widen(path);
    DWORD error = ::GetNamedSecurityInfoW(wpath.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                                          nullptr, nullptr, nullptr, &sd);
    if (error != ERROR_SUCCESS) {
        std::printf("error %s\n", win32::error_text(error).c_str());
        return 1;
    }
    LPWSTR text = nullptr;
    ::ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION,
                                                           &text, nullptr);
    std::printf("%s\n", text ? win32::narrow(text).c_str() : "?");
    ::LocalFree(text);
    ::LocalFree(sd);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    setup_logging(spdlog::level::info, LogFormat::text);
    try {
        if (args.size() >= 3 && args[0] == "install") {
            service::InstallOptions o;
            o.name = args[1];
            o.executable = platform::executable_path();
            o.config_file = args[2];
            o.depends_on.clear();
            for (std::size_t i = 3; i < args.size(); ++i) {
                if (args[i] == "--no-start") {
                    o.start = false;
                } else if (args[i] == "--depends-on" && i + 1 < args.size()) {
                    o.depends_on.push_back(args[++i]);
                }
            }
            service::install(o);
            return 0;
        }
        if (args.size() == 2 && args[0] == "uninstall") {
            service::InstallOptions o;
            o.name = args[1];
            service::uninstall(o);
            return 0;
        }
        if (args.size() == 3 && args[0] == "run" && args[1] == "--config") {
            std::stop_source stop;
            platform::request_stop_on_signals(stop);
            return run(args[2], stop);
        }
        if (args.size() == 2 && args[0] == "acl") {
            return acl(args[1]);
        }
        if (args.size() == 2 && args[0] == "show") {
            return show(args[1]);
        }
        if (args.size() == 4 && args[0] == "wait") {
            return wait(args[1], args[2], std::stoi(args[3]));
        }
        if (args.size() == 3 && args[0] == "stop") {
            return stop(args[1], std::stoi(args[2]));
        }
    } catch (const Failure& f) {
        std::fprintf(stderr, "sb_service_probe: %s\n", f.what());
        return to_int(f.code());
    }
    std::fprintf(stderr, "usage: see the comment at the top of service_probe.cpp\n");
    return 2;
}

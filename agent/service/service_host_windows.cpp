// Windows: `run` as a service of the Service Control Manager. host() hands the body to the service control
// dispatcher; the control handler turns SERVICE_CONTROL_STOP/SHUTDOWN into a stop request on the body's
// stop_token. Started from a console instead (StartServiceCtrlDispatcherW fails with 1063), the body runs
// directly. Registering the service: service_install_windows.cpp; reading it back:
// service_readback_windows.cpp.

#include <windows.h>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/win_eventlog_sink.h>

#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <utility>

#include "agent/platform/platform.hpp"
#include "agent/service/service_events.hpp"
#include "agent/service/service_host.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/win32.hpp"

namespace sb::service {

namespace {

// What the service main and the control handler share. The dispatcher calls both on its own threads.
struct ServiceRun {
    std::wstring name;
    std::stop_source stop;
    ServiceBody body;
    SERVICE_STATUS_HANDLE status_handle = nullptr;
    std::mutex status_mutex;
    SERVICE_STATUS status{};
    int exit_code = 0;
    std::exception_ptr failure;
};

ServiceRun* current_run = nullptr;
std::atomic<bool> running_as_service{false};

void report(ServiceRun& run, DWORD state, DWORD wait_hint_ms = 0, int exit_code = 0) {
    std::lock_guard lock(run.status_mutex);
    auto& s = run.status;
    s.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    s.dwCurrentState = state;
    s.dwControlsAccepted = state == SERVICE_START_PENDING || state == SERVICE_STOPPED
                               ? 0
                               : SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
    s.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    s.dwServiceSpecificExitCode = static_cast<DWORD>(exit_code);
    s.dwWaitHint = wait_hint_ms;
    s.dwCheckPoint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : s.dwCheckPoint + 1;
    ::SetServiceStatus(run.status_handle, &s);
}

DWORD WINAPI control_handler(DWORD control, DWORD /*event_type*/, void* /*event_data*/, void* context) {
    auto& run = *static_cast<ServiceRun*>(context);
    switch (control) {
        case SERVICE_CONTROL_STOP:
        case SERVICE_CONTROL_SHUTDOWN:
            // The body sees the request on its stop_token at once; an HTTP call in flight is bounded by its
            // own timeout, hence the generous wait hint.
            report(run, SERVICE_STOP_PENDING, 10000);
            run.stop.request_stop();
            return NO_ERROR;
        case SERVICE_CONTROL_INTERROGATE:
            return NO_ERROR;
        default:
            return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

class ScmSupervisor final : public Supervisor {
  public:
    // SERVICE_RUNNING is reported before the body starts: the first join may wait for a long time, and the
    // SCM would otherwise give up on a service that stays start pending.
    void ready() override { log("service").debug("ready: member of the swarm"); }
    void keepalive() override {}
    void status(const std::string& text) override { log("service").debug("status: {}", text); }
};

class ConsoleSupervisor final : public Supervisor {
  public:
    void ready() override {}
    void keepalive() override {}
    void status(const std::string& text) override { log("service").debug("status: {}", text); }
};

// The service's own log file, %ProgramData%\swarm-bootstrap\swarm-bootstrap.log, 3 x 5 MB.
void add_service_log_file() {
    auto path = platform::default_state_path().parent_path() / L"swarm-bootstrap.log";
    try {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        add_log_sink(
            std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path.string(), 5 * 1024 * 1024, 3));
    } catch (const std::exception& e) {
        log("service").warn("cannot log to {}: {}", path.string(), e.what());
    }
}

int run_body(ServiceRun& run, Supervisor& supervisor) {
    try {
        return run.body(run.stop.get_token(), supervisor);
    } catch (const Failure& f) {
        run.failure = std::current_exception();
        return to_int(f.code());
    } catch (const Stopped&) {
        if (run.stop.stop_requested()) {
            return 0;  // a service stopping is normal
        }
        run.failure = std::current_exception();
        return to_int(ExitCode::internal);
    } catch (...) {
        run.failure = std::current_exception();
        return to_int(ExitCode::internal);
    }
}

void WINAPI service_main(DWORD /*argc*/, LPWSTR* /*argv*/) {
    auto& run = *current_run;
    running_as_service = true;
    run.status_handle = ::RegisterServiceCtrlHandlerExW(run.name.c_str(), control_handler, &run);
    if (run.status_handle == nullptr) {
        run.exit_code = to_int(ExitCode::internal);
        return;
    }
    report(run, SERVICE_START_PENDING, 3000);
    add_service_log_file();
    report(run, SERVICE_RUNNING);
    ScmSupervisor supervisor;
    run.exit_code = run_body(run, supervisor);
    if (run.stop.stop_requested() && !run.failure) {
        run.exit_code = 0;
    }
    log("service").flush();  // every phase's logger shares the sinks
    // A non-zero code makes the SCM apply the failure actions (a restart), see install().
    report(run, SERVICE_STOPPED, 0, run.exit_code);
}

}  // namespace

int host(const std::string& service_name, std::stop_source stop, ServiceBody body) {
    ServiceRun run;
    run.name = win32::widen(service_name);
    run.stop = stop;
    run.body = std::move(body);
    current_run = &run;
    SERVICE_TABLE_ENTRYW table[] = {{run.name.data(), service_main}, {nullptr, nullptr}};
    if (!::StartServiceCtrlDispatcherW(table)) {
        DWORD error = ::GetLastError();
        current_run = nullptr;
        if (error != ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            throw Failure(ExitCode::internal,
                          "cannot connect to the service control manager: " + win32::error_text(error));
        }
        // Not started by the SCM: a console program (Ctrl-C already requests `stop`).
        ConsoleSupervisor supervisor;
        int code = run_body(run, supervisor);
        if (run.failure) {
            std::rethrow_exception(run.failure);
        }
        return code;
    }
    current_run = nullptr;
    if (run.failure) {
        std::rethrow_exception(run.failure);  // for the one place that logs failures and picks the exit code
    }
    return run.exit_code;
}

spdlog::sink_ptr make_console_sink(const std::string& /*service_name*/) {
    return nullptr;  // a service has no console; the Event Log gets its lines from make_event_sink
}

spdlog::sink_ptr make_event_sink(const std::string& service_name) {
    // Only for the service: a console run has its lines on stderr already.
    if (!running_as_service) {
        return nullptr;
    }
    // Start and stop, joins, labels, heals, warnings and failures; not the progress of every wait.
    return event_filter_sink(std::make_shared<spdlog::sinks::win_eventlog_sink_mt>(service_name));
}

}  // namespace sb::service

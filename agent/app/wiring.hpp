#pragma once

#include <memory>
#include <stop_token>

#include "agent/join/join_context.hpp"
#include "common/clock.hpp"
#include "common/engine_client.hpp"

namespace sb {

// The real world behind Services: Engine API clients over real transports, DNS, TCP probes, the system clock.
class RealServices {
  public:
    RealServices(const Config& config, std::stop_token stop);
    Services& services() { return services_; }
    EngineApi& local() { return *local_; }

  private:
    SystemClock clock_;
    std::unique_ptr<EngineApi> local_;
    Services services_;
};

std::unique_ptr<EngineApi> connect_engine(const Endpoint& endpoint, const TlsOptions& tls,
                                          std::stop_token stop);

}  // namespace sb

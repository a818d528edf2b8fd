#include "common/transport/tls_trust.hpp"

namespace sb::detail {

void load_system_trust(boost::asio::ssl::context& context, boost::system::error_code& ec) {
    context.set_default_verify_paths(ec);
}

}  // namespace sb::detail

// The Router's test fixture, shared by the route tests (router_test.cpp, console_routes_test.cpp):
// a Router over a FakeModemSource with a registered EC25 (1-1) and a locked one (1-2).
#pragma once

#include "api/fake_source.hpp"
#include "api/router.hpp"
#include "api/test_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace uplink::api {

class RouterTest : public ::testing::Test {
protected:
    RouterTest()
    {
        source.snapshots = {testing::registered_ec25("1-1"), testing::locked_ec25("1-2")};
    }

    Response request(Method method, std::string path, boost::json::value body = nullptr, Caller caller = Caller::Root,
        ConsoleRight console = ConsoleRight::Denied)
    {
        Router router(source, DaemonInfo{"0.1.0", Clock::now() - std::chrono::seconds(125)});
        Request request;
        request.caller = caller;
        request.console = console;
        request.client = "a test";
        request.method = method;
        request.method_text = std::string(to_string(method));
        request.path = std::move(path);
        request.body = std::move(body);
        return testing::run_to_completion(router.handle(std::move(request)));
    }

    Response get(std::string path) { return request(Method::Get, std::move(path)); }

    Response post_at(std::string id, boost::json::value body)
    {
        return request(Method::Post, "/v1/modems/" + id + "/at", std::move(body));
    }

    testing::FakeModemSource source;
};

} // namespace uplink::api

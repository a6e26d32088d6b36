// Boost.JSON's implementation, compiled once for every target that uses JSON (DESIGN.md "Build time").
#include <boost/json/src.hpp>

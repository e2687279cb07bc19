// The error a call throws: the ErrorId of its KakehashiError; the test fails when it throws none.
#pragma once
#include <catch2/catch.hpp>

#include <functional>

#include "model/errors.hpp"

namespace kh::test {

inline model::ErrorId errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const model::KakehashiError& e) {
        return e.id();
    }
    FAIL("no KakehashiError thrown");
    return model::ErrorId::Internal;
}

}  // namespace kh::test

/** \file NumpyApi.h
 * The one way bindings/ includes Python and NumPy's C API: every translation unit shares the
 * API table that EmberModule.cpp imports.
 */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL ember_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL ember_UFUNC_API
#ifndef EMBER_IMPORT_NUMPY
#define NO_IMPORT_ARRAY
#define NO_IMPORT_UFUNC
#endif
#include <numpy/arrayobject.h>
#include <numpy/arrayscalars.h>
#include <numpy/ufuncobject.h>

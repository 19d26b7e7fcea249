"""Packaging: the four extension modules are built by CMake (CMakeLists.txt), not setuptools.

`pip install .` (or `-e .`) runs CMake in ./build (or $EMBER_BUILD_DIR) and puts the modules in
the package; `make` does the same build incrementally.
"""
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def run(self):
        build = os.environ.get("EMBER_BUILD_DIR", os.path.join(ROOT, "build"))
        if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
            subprocess.check_call(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DPython_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", build, "-j", str(os.cpu_count() or 2),
                               "--target", "_ember", "_compiler", "_cuda", "_shared_code"])
        for ext in self.extensions:
            built = os.path.join(ROOT, "ember", os.path.basename(self.get_ext_filename(ext.name)))
            dest = self.get_ext_fullpath(ext.name)
            if os.path.abspath(built) != os.path.abspath(dest):
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copyfile(built, dest)


setup(
    packages=["ember"],
    ext_modules=[CMakeExtension("ember._ember"), CMakeExtension("ember._compiler"),
                 CMakeExtension("ember._cuda"), CMakeExtension("ember._shared_code")],
    cmdclass={"build_ext": CMakeBuild},
)

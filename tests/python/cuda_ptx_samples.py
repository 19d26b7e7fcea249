"""Hand-written PTX kernels for the CUDA host layer's tests.

They check the driver binding (module loading, launches, parameter passing, the device error
record) independently of ember's compiler: each kernel takes its arrays flattened as ember's
kernels do (data pointer, shape[nd], strides[nd] in bytes, all 64-bit), in argument order, and
its scalars by value.  Written for sm_52 / PTX 6.4 so that any driver and device of the last
decade JIT-compiles them.  `LAYOUTS` gives each kernel's arguments as (ArgKind name, size or
ndim) for ember._cuda.ParamLayout.
"""

KERNELS_PTX = r"""
.version 6.4
.target sm_52
.address_size 64

// The device error record ember's kernels fill: {status, exc, line, msg_id}.
.visible .global .align 4 .b8 ember_device_error[16];

// add_one(x: float64[:]): x[i] += 1 for i < x.shape[0], x strided.
.visible .entry add_one(
    .param .u64 x_data,
    .param .u64 x_shape0,
    .param .u64 x_stride0
)
{
    .reg .pred  %p<2>;
    .reg .b32   %r<4>;
    .reg .b64   %rd<8>;
    .reg .f64   %fd<3>;

    ld.param.u64    %rd1, [x_data];
    ld.param.u64    %rd2, [x_shape0];
    ld.param.u64    %rd3, [x_stride0];
    mov.u32         %r1, %ctaid.x;
    mov.u32         %r2, %ntid.x;
    mov.u32         %r3, %tid.x;
    mul.wide.u32    %rd4, %r1, %r2;
    cvt.u64.u32     %rd5, %r3;
    add.s64         %rd4, %rd4, %rd5;
    setp.ge.s64     %p1, %rd4, %rd2;
    @%p1 bra        ADD_ONE_DONE;
    mul.lo.s64      %rd6, %rd4, %rd3;
    add.s64         %rd7, %rd1, %rd6;
    cvta.to.global.u64 %rd7, %rd7;
    ld.global.f64   %fd1, [%rd7];
    add.f64         %fd2, %fd1, 0d3FF0000000000000;
    st.global.f64   [%rd7], %fd2;
ADD_ONE_DONE:
    ret;
}

// scale_add(out: float64[:], x: float64[:], a: float64, b: int32, c: float32, flag: uint8):
// out[i] = a * x[i] + b + c + flag.  Parameters of every width ember passes.
.visible .entry scale_add(
    .param .u64 out_data,
    .param .u64 out_shape0,
    .param .u64 out_stride0,
    .param .u64 x_data,
    .param .u64 x_shape0,
    .param .u64 x_stride0,
    .param .f64 a,
    .param .u32 b,
    .param .f32 c,
    .param .u8 flag
)
{
    .reg .pred  %p<2>;
    .reg .b16   %rs<2>;
    .reg .b32   %r<6>;
    .reg .f32   %f<2>;
    .reg .b64   %rd<12>;
    .reg .f64   %fd<8>;

    ld.param.u64    %rd1, [out_data];
    ld.param.u64    %rd2, [out_shape0];
    ld.param.u64    %rd3, [out_stride0];
    ld.param.u64    %rd4, [x_data];
    ld.param.u64    %rd5, [x_stride0];
    ld.param.f64    %fd1, [a];
    ld.param.u32    %r4, [b];
    ld.param.f32    %f1, [c];
    ld.param.u8     %rs1, [flag];
    mov.u32         %r1, %ctaid.x;
    mov.u32         %r2, %ntid.x;
    mov.u32         %r3, %tid.x;
    mul.wide.u32    %rd6, %r1, %r2;
    cvt.u64.u32     %rd7, %r3;
    add.s64         %rd6, %rd6, %rd7;
    setp.ge.s64     %p1, %rd6, %rd2;
    @%p1 bra        SCALE_ADD_DONE;
    mul.lo.s64      %rd8, %rd6, %rd5;
    add.s64         %rd8, %rd4, %rd8;
    cvta.to.global.u64 %rd8, %rd8;
    ld.global.f64   %fd2, [%rd8];
    cvt.rn.f64.s32  %fd3, %r4;
    cvt.f64.f32     %fd4, %f1;
    cvt.u32.u16     %r5, %rs1;
    cvt.rn.f64.u32  %fd5, %r5;
    fma.rn.f64      %fd6, %fd1, %fd2, %fd3;
    add.f64         %fd6, %fd6, %fd4;
    add.f64         %fd6, %fd6, %fd5;
    mul.lo.s64      %rd9, %rd6, %rd3;
    add.s64         %rd9, %rd1, %rd9;
    cvta.to.global.u64 %rd9, %rd9;
    st.global.f64   [%rd9], %fd6;
SCALE_ADD_DONE:
    ret;
}

// raise_if_negative(x: int32[:]): the first thread that sees x[i] < 0 claims the error record
// (compare-and-swap of status 0 -> 1) and fills exc = 3 (ValueError), line = 42, msg_id = 7.
.visible .entry raise_if_negative(
    .param .u64 x_data,
    .param .u64 x_shape0,
    .param .u64 x_stride0
)
{
    .reg .pred  %p<4>;
    .reg .b32   %r<8>;
    .reg .b64   %rd<10>;

    ld.param.u64    %rd1, [x_data];
    ld.param.u64    %rd2, [x_shape0];
    ld.param.u64    %rd3, [x_stride0];
    mov.u32         %r1, %ctaid.x;
    mov.u32         %r2, %ntid.x;
    mov.u32         %r3, %tid.x;
    mul.wide.u32    %rd4, %r1, %r2;
    cvt.u64.u32     %rd5, %r3;
    add.s64         %rd4, %rd4, %rd5;
    setp.ge.s64     %p1, %rd4, %rd2;
    @%p1 bra        RAISE_DONE;
    mul.lo.s64      %rd6, %rd4, %rd3;
    add.s64         %rd7, %rd1, %rd6;
    cvta.to.global.u64 %rd7, %rd7;
    ld.global.s32   %r4, [%rd7];
    setp.ge.s32     %p2, %r4, 0;
    @%p2 bra        RAISE_DONE;
    mov.u64         %rd8, ember_device_error;
    atom.global.cas.b32 %r5, [%rd8], 0, 1;
    setp.ne.s32     %p3, %r5, 0;
    @%p3 bra        RAISE_DONE;
    mov.u32         %r6, 3;
    st.global.u32   [%rd8+4], %r6;
    mov.u32         %r6, 42;
    st.global.u32   [%rd8+8], %r6;
    mov.u32         %r6, 7;
    st.global.u32   [%rd8+12], %r6;
RAISE_DONE:
    ret;
}

// param_zoo(int8, float64, int32, bool, float64[:, :], float16, complex64, complex128, uint16):
// nothing; its parameters have every width and alignment ember lays out.
.visible .entry param_zoo(
    .param .u8 i8,
    .param .f64 f64,
    .param .u32 i32,
    .param .u8 flag,
    .param .u64 m_data,
    .param .u64 m_shape0,
    .param .u64 m_shape1,
    .param .u64 m_stride0,
    .param .u64 m_stride1,
    .param .align 2 .b8 half[2],
    .param .align 4 .b8 c64[8],
    .param .align 8 .b8 c128[16],
    .param .u16 u16
)
{
    ret;
}

// empty(): nothing, for the launch overhead.
.visible .entry empty()
{
    ret;
}

// empty_array(x: float64[:]): nothing, with one array argument (the issue's launch budget).
.visible .entry empty_array(
    .param .u64 x_data,
    .param .u64 x_shape0,
    .param .u64 x_stride0
)
{
    ret;
}
"""


def _empty_arrays(n: int) -> str:
    params = ",\n".join(f"    .param .u64 a{i}_{part}" for i in range(n)
                         for part in ("data", "shape0", "stride0"))
    return f"\n.visible .entry empty_array{n}(\n{params}\n)\n{{\n    ret;\n}}\n"


# empty_array16(16 x float64[:]): nothing, with sixteen array arguments (48 parameters).
KERNELS_PTX += _empty_arrays(16)

# Each kernel's arguments as (ArgKind name, size in bytes, or ndim for an Array).
LAYOUTS = {
    "add_one": [("Array", 1)],
    "scale_add": [("Array", 1), ("Array", 1), ("Float", 8), ("Int", 4), ("Float", 4),
                  ("UInt", 1)],
    "raise_if_negative": [("Array", 1)],
    "param_zoo": [("Int", 1), ("Float", 8), ("Int", 4), ("Bool", 1), ("Array", 2), ("Float", 2),
                  ("Complex", 8), ("Complex", 16), ("UInt", 2)],
    "empty": [],
    "empty_array": [("Array", 1)],
    "empty_array16": [("Array", 1)] * 16,
}

# A module the JIT must refuse.
BAD_PTX = r"""
.version 6.4
.target sm_52
.address_size 64
.visible .entry broken()
{
    this is not an instruction;
}
"""

// SPDX-License-Identifier: GPL-2.0
// The semantic match pinaudit's inventory is compared with: every call of
// the get/pin family, its enclosing function and its arguments.
@r@
identifier fn = {get_user_pages, get_user_pages_fast, get_user_pages_fast_only,
                 get_user_pages_remote, get_user_pages_unlocked, pin_user_pages,
                 pin_user_pages_fast, pin_user_pages_remote,
                 pin_user_pages_unlocked, iov_iter_extract_pages,
                 iov_iter_get_pages2, iov_iter_get_pages_alloc2};
expression list args;
position p;
@@
fn@p(args)

@script:python@
fn << r.fn;
p << r.p;
args << r.args;
@@
print("%s:%s:%s\t%s\t%s\t%s" % (p[0].file, p[0].line, p[0].column, p[0].current_element, fn, args))

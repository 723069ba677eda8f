/* Minimal checking helpers for the C tests: count, report, and print "N passed, N failed". */
#ifndef OSSC_TEST_CHECK_H
#define OSSC_TEST_CHECK_H

#include <ossc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            checks_passed++;                                                         \
        } else {                                                                     \
            checks_failed++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

/* The call must succeed; on failure prints the error. */
#define OK(call)                                                                                  \
    do {                                                                                          \
        oss_error *ok_err_ = (call);                                                              \
        if (ok_err_ == NULL) {                                                                    \
            checks_passed++;                                                                      \
        } else {                                                                                  \
            checks_failed++;                                                                      \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,                  \
                    oss_error_description(ok_err_));                                              \
            oss_error_free(ok_err_);                                                              \
        }                                                                                         \
    } while (0)

/* The call must fail with this kind; the error is freed. */
#define FAILS(kind, call)                                                                         \
    do {                                                                                          \
        oss_error *f_err_ = (call);                                                               \
        if (f_err_ != NULL && oss_error_get_kind(f_err_) == (uint32_t)(kind)) {                   \
            checks_passed++;                                                                      \
        } else {                                                                                  \
            checks_failed++;                                                                      \
            fprintf(stderr, "%s:%d: %s: expected kind %d, got %s\n", __FILE__, __LINE__, #call,   \
                    (int)(kind), f_err_ ? oss_error_description(f_err_) : "success");             \
        }                                                                                         \
        oss_error_free(f_err_);                                                                   \
    } while (0)

static int checks_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

static const char *test_endpoint(void) {
    const char *e = getenv("OSSC_TEST_ENDPOINT");
    if (e == NULL || e[0] == '\0') {
        fprintf(stderr, "OSSC_TEST_ENDPOINT must point at a running ossemu\n");
        exit(2);
    }
    return e;
}

/* A handle for one of ossemu's demo identities. */
static oss_bucket *test_bucket(const char *bucket, const char *ak, const char *sk, const char *token,
                               uint32_t version, uint32_t payer) {
    oss_bucket_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = test_endpoint();
    cfg.bucket = bucket;
    cfg.region = "cn-hangzhou";
    cfg.access_key_id = ak;
    cfg.access_key_secret = sk;
    cfg.security_token = token;
    cfg.signature_version = version;
    cfg.default_payer = payer;
    oss_bucket *b = NULL;
    oss_error *err = oss_bucket_new(&cfg, &b);
    if (err != NULL) {
        fprintf(stderr, "oss_bucket_new: %s\n", oss_error_description(err));
        oss_error_free(err);
        exit(2);
    }
    return b;
}

#endif

/*
 * Calls every function of ossc.h against ossemu (OSSC_TEST_ENDPOINT), with good arguments and
 * with NULL, invalid enum values and invalid UTF-8 for each pointer and enum parameter.
 * Run plain, under AddressSanitizer and under valgrind by scripts/test.sh.
 */
#include "check.h"

#define K OSS_ERROR_KIND_INVALID_ARGUMENT

static const char BAD_UTF8[] = {(char)0xff, (char)0xfe, 'x', 0};

struct source {
    const uint8_t *data;
    size_t len, pos;
    int fail_after; /* abort once pos passes this (-1: never) */
};

static int64_t read_cb(void *userdata, uint8_t *buf, size_t len) {
    struct source *s = userdata;
    if (s->fail_after >= 0 && s->pos >= (size_t)s->fail_after) {
        return -1;
    }
    size_t n = s->len - s->pos < len ? s->len - s->pos : len;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (int64_t)n;
}

struct sink {
    uint8_t *data;
    size_t len, cap;
    int abort;
};

static int32_t write_cb(void *userdata, const uint8_t *buf, size_t len) {
    struct sink *s = userdata;
    if (s->abort) {
        return 7;
    }
    if (s->len + len > s->cap) {
        size_t cap = (s->len + len) * 2;
        uint8_t *p = realloc(s->data, cap);
        if (p == NULL) {
            return 1;
        }
        s->data = p;
        s->cap = cap;
    }
    memcpy(s->data + s->len, buf, len);
    s->len += len;
    return 0;
}

static void test_config_errors(void) {
    oss_bucket *b = (oss_bucket *)0x1; /* must stay untouched on failure */
    oss_bucket_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = test_endpoint();
    cfg.bucket = "c-api";
    cfg.region = "cn-hangzhou";
    cfg.access_key_id = "demo-owner-ak";
    cfg.access_key_secret = "demo-owner-sk";

    FAILS(K, oss_bucket_new(NULL, &b));
    FAILS(K, oss_bucket_new(&cfg, NULL));
    oss_bucket_config c2 = cfg;
    c2.endpoint = NULL;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.bucket = NULL;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.access_key_id = NULL;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.access_key_secret = NULL;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.bucket = BAD_UTF8;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.security_token = BAD_UTF8;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.region = BAD_UTF8;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.bucket = "Bad_Bucket";
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.endpoint = "ftp://example.com";
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.region = NULL; /* V4 with an IP endpoint names no region */
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.signature_version = 2;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.addressing = 3;
    FAILS(K, oss_bucket_new(&c2, &b));
    c2 = cfg;
    c2.default_payer = 3;
    FAILS(K, oss_bucket_new(&c2, &b));
    CHECK(b == (oss_bucket *)0x1);

    /* Every accepted enum value. */
    uint32_t versions[] = {OSS_SIGNATURE_DEFAULT, OSS_SIGNATURE_V1, OSS_SIGNATURE_V4};
    uint32_t addressings[] = {OSS_ADDRESSING_AUTO, OSS_ADDRESSING_PATH_STYLE, OSS_ADDRESSING_VIRTUAL_HOSTED};
    for (int i = 0; i < 3; i++) {
        c2 = cfg;
        c2.signature_version = versions[i];
        c2.addressing = addressings[i];
        c2.default_payer = (uint32_t)i;
        c2.connect_timeout_ms = 1000;
        c2.read_timeout_ms = 2000;
        c2.max_attempts = (uint32_t)i; /* 0: the default (3), 1: no retries, 2 */
        oss_bucket *ok = NULL;
        OK(oss_bucket_new(&c2, &ok));
        CHECK(ok != NULL);
        oss_bucket_free(ok);
    }
    oss_bucket_free(NULL);
}

static void test_from_env(void) {
    oss_bucket *b = NULL;
    unsetenv("OSS_ACCESS_KEY_ID");
    FAILS(K, oss_bucket_new_from_env("c-api", &b));
    setenv("OSS_ACCESS_KEY_ID", "demo-owner-ak", 1);
    setenv("OSS_ACCESS_KEY_SECRET", "demo-owner-sk", 1);
    setenv("OSS_ENDPOINT", test_endpoint(), 1);
    setenv("OSS_REGION", "cn-hangzhou", 1);
    unsetenv("OSS_SESSION_TOKEN");
    FAILS(K, oss_bucket_new_from_env(NULL, &b));
    FAILS(K, oss_bucket_new_from_env("c-api", NULL));
    FAILS(K, oss_bucket_new_from_env(BAD_UTF8, &b));
    OK(oss_bucket_new_from_env("c-api", &b));
    uint32_t acl = 99;
    OK(oss_get_bucket_acl(b, &acl)); /* a real request with the environment's credentials */
    CHECK(acl == OSS_ACL_PRIVATE);
    oss_bucket_free(b);
}

static void test_bucket_ops(oss_bucket *owner, oss_bucket *requester) {
    FAILS(K, oss_create_bucket(NULL, OSS_ACL_DEFAULT));
    FAILS(K, oss_create_bucket(owner, 4));
    oss_error *e = oss_create_bucket(owner, OSS_ACL_PRIVATE);
    CHECK(e != NULL && oss_error_get_kind(e) == OSS_ERROR_KIND_SERVICE && oss_error_http_status(e) == 409 &&
          strcmp(oss_error_code(e), "BucketAlreadyExists") == 0);
    oss_error_free(e);

    uint32_t acl = 0;
    FAILS(K, oss_set_bucket_acl(NULL, OSS_ACL_PRIVATE));
    FAILS(K, oss_set_bucket_acl(owner, OSS_ACL_DEFAULT));
    FAILS(K, oss_set_bucket_acl(owner, 42));
    FAILS(K, oss_get_bucket_acl(NULL, &acl));
    FAILS(K, oss_get_bucket_acl(owner, NULL));
    OK(oss_set_bucket_acl(owner, OSS_ACL_PUBLIC_READ));
    OK(oss_get_bucket_acl(owner, &acl));
    CHECK(acl == OSS_ACL_PUBLIC_READ);
    OK(oss_set_bucket_acl(owner, OSS_ACL_PUBLIC_READ_WRITE));
    OK(oss_get_bucket_acl(owner, &acl));
    CHECK(acl == OSS_ACL_PUBLIC_READ_WRITE);
    OK(oss_set_bucket_acl(owner, OSS_ACL_PRIVATE));

    char *policy = (char *)0x1;
    FAILS(K, oss_put_bucket_policy(NULL, "{}"));
    FAILS(K, oss_put_bucket_policy(owner, NULL));
    FAILS(K, oss_put_bucket_policy(owner, BAD_UTF8));
    FAILS(K, oss_get_bucket_policy(NULL, &policy));
    FAILS(K, oss_get_bucket_policy(owner, NULL));
    FAILS(K, oss_delete_bucket_policy(NULL));
    e = oss_get_bucket_policy(owner, &policy);
    CHECK(e != NULL && oss_error_http_status(e) == 404 && strcmp(oss_error_code(e), "NoSuchBucketPolicy") == 0);
    CHECK(policy == (char *)0x1); /* untouched on failure */
    oss_error_free(e);
    const char *doc = "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":[\"1000000000000002\","
                      "\"1000000000000003\"],\"Action\":[\"oss:*Object\",\"oss:ListObjects\"],"
                      "\"Resource\":[\"acs:oss:*:*:c-api/*\"]}]}";
    OK(oss_put_bucket_policy(owner, doc));
    OK(oss_get_bucket_policy(owner, &policy));
    CHECK(policy != NULL && strcmp(policy, doc) == 0);
    oss_string_free(policy);
    oss_string_free(NULL);
    e = oss_put_bucket_policy(owner, "{not json");
    CHECK(e != NULL && oss_error_http_status(e) == 400);
    oss_error_free(e);

    uint32_t payer = 77;
    FAILS(K, oss_set_request_payment(NULL, OSS_PAYER_REQUESTER));
    FAILS(K, oss_set_request_payment(owner, OSS_PAYER_DEFAULT));
    FAILS(K, oss_set_request_payment(owner, 3));
    FAILS(K, oss_get_request_payment(NULL, &payer));
    FAILS(K, oss_get_request_payment(owner, NULL));
    CHECK(payer == 77);
    OK(oss_get_request_payment(owner, &payer));
    CHECK(payer == OSS_PAYER_BUCKET_OWNER);
    OK(oss_set_request_payment(owner, OSS_PAYER_REQUESTER));
    OK(oss_get_request_payment(owner, &payer));
    CHECK(payer == OSS_PAYER_REQUESTER);

    /* Only the owner may change it: the requester is refused. */
    e = oss_set_request_payment(requester, OSS_PAYER_BUCKET_OWNER);
    CHECK(e != NULL && oss_error_http_status(e) == 403);
    oss_error_free(e);
}

static void test_object_ops(oss_bucket *owner, oss_bucket *requester) {
    const char *text = "hello, requester pays";
    size_t n = strlen(text);
    const uint8_t *data = (const uint8_t *)text;
    oss_object_info *info = (oss_object_info *)0x1;

    /* Arguments. */
    FAILS(K, oss_put_object(NULL, "k", data, n, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object(requester, NULL, data, n, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object(requester, BAD_UTF8, data, n, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object(requester, "", data, n, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object(requester, "/abs", data, n, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object(requester, "k", NULL, 5, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object(requester, "k", data, n, 3, NULL, NULL));
    FAILS(K, oss_put_object(requester, "k", data, n, 0xffffffffu, NULL, &info));
    CHECK(info == (oss_object_info *)0x1);
    oss_put_options opts;
    memset(&opts, 0, sizeof opts);
    opts.metadata_len = 1; /* with NULL metadata */
    FAILS(K, oss_put_object(requester, "k", data, n, OSS_PAYER_REQUESTER, &opts, NULL));
    oss_metadata_entry bad_meta[] = {{"bad name", "v"}};
    opts.metadata = bad_meta;
    FAILS(K, oss_put_object(requester, "k", data, n, OSS_PAYER_REQUESTER, &opts, NULL));
    oss_metadata_entry null_meta[] = {{NULL, "v"}};
    opts.metadata = null_meta;
    FAILS(K, oss_put_object(requester, "k", data, n, OSS_PAYER_REQUESTER, &opts, NULL));
    memset(&opts, 0, sizeof opts);
    opts.compute_content_md5 = true;
    opts.content_md5 = "AAAAAAAAAAAAAAAAAAAAAA==";
    FAILS(K, oss_put_object(requester, "k", data, n, OSS_PAYER_REQUESTER, &opts, NULL));
    opts.content_type = BAD_UTF8;
    opts.compute_content_md5 = false;
    opts.content_md5 = NULL;
    FAILS(K, oss_put_object(requester, "k", data, n, OSS_PAYER_REQUESTER, &opts, NULL));

    /* Requester pays: without the flag, refused with every field. */
    oss_error *e = oss_put_object(requester, "k", data, n, OSS_PAYER_BUCKET_OWNER, NULL, NULL);
    CHECK(e != NULL);
    CHECK(oss_error_get_kind(e) == OSS_ERROR_KIND_SERVICE);
    CHECK(oss_error_http_status(e) == 403);
    CHECK(strcmp(oss_error_code(e), "AccessDenied") == 0);
    CHECK(strcmp(oss_error_message(e), "Access denied for requester pay bucket") == 0);
    CHECK(strcmp(oss_error_ec(e), "0003-00000703") == 0);
    CHECK(strlen(oss_error_request_id(e)) == 24);
    CHECK(strlen(oss_error_host_id(e)) > 0);
    CHECK(strcmp(oss_error_string_to_sign(e), "") == 0);
    CHECK(strstr(oss_error_description(e), "0003-00000703") != NULL);
    oss_error_free(e);

    /* With the flag: metadata, content type, MD5. */
    oss_metadata_entry meta[] = {{"Color", "blue"}, {"shape", "round"}};
    memset(&opts, 0, sizeof opts);
    opts.content_type = "text/plain";
    opts.metadata = meta;
    opts.metadata_len = 2;
    opts.compute_content_md5 = true;
    OK(oss_put_object(requester, "dir/k.txt", data, n, OSS_PAYER_REQUESTER, &opts, &info));
    CHECK(info != NULL && info != (oss_object_info *)0x1);
    if (info != NULL && info != (oss_object_info *)0x1) {
        CHECK(info->request_charged);
        CHECK(info->has_crc64);
        CHECK(info->size == n);
        CHECK(strlen(info->etag) == 34);
        CHECK(strlen(info->request_id) == 24);
        oss_object_info_free(info);
    }
    oss_object_info_free(NULL);
    OK(oss_put_object(requester, "empty", NULL, 0, OSS_PAYER_REQUESTER, NULL, NULL));

    /* Head. */
    FAILS(K, oss_head_object(NULL, "dir/k.txt", OSS_PAYER_REQUESTER, &info));
    FAILS(K, oss_head_object(requester, NULL, OSS_PAYER_REQUESTER, &info));
    FAILS(K, oss_head_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, NULL));
    FAILS(K, oss_head_object(requester, "dir/k.txt", 9, &info));
    OK(oss_head_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, &info));
    CHECK(info->size == n);
    CHECK(strcmp(info->content_type, "text/plain") == 0);
    CHECK(info->metadata_len == 2);
    CHECK(info->metadata_len == 2 && strcmp(info->metadata[0].name, "color") == 0 &&
          strcmp(info->metadata[0].value, "blue") == 0 && strcmp(info->metadata[1].name, "shape") == 0);
    CHECK(info->last_modified > 1700000000);
    CHECK(info->request_charged);
    oss_object_info_free(info);
    e = oss_head_object(requester, "missing", OSS_PAYER_REQUESTER, &info);
    CHECK(e != NULL && oss_error_http_status(e) == 404 && strcmp(oss_error_code(e), "NoSuchKey") == 0 &&
          strlen(oss_error_ec(e)) > 0);
    oss_error_free(e);
    e = oss_head_object(requester, "dir/k.txt", OSS_PAYER_BUCKET_OWNER, &info);
    CHECK(e != NULL && strcmp(oss_error_ec(e), "0003-00000703") == 0 &&
          strcmp(oss_error_message(e), "Access denied for requester pay bucket") == 0);
    oss_error_free(e);

    /* Get into memory, whole and ranged. */
    uint8_t *buf = (uint8_t *)0x1;
    size_t len = 12345;
    FAILS(K, oss_get_object(NULL, "dir/k.txt", OSS_PAYER_REQUESTER, NULL, &buf, &len, NULL));
    FAILS(K, oss_get_object(requester, NULL, OSS_PAYER_REQUESTER, NULL, &buf, &len, NULL));
    FAILS(K, oss_get_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, NULL, NULL, &len, NULL));
    FAILS(K, oss_get_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, NULL, &buf, NULL, NULL));
    FAILS(K, oss_get_object(requester, "dir/k.txt", 5, NULL, &buf, &len, NULL));
    oss_range backwards = {5, 2};
    FAILS(K, oss_get_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, &backwards, &buf, &len, NULL));
    CHECK(buf == (uint8_t *)0x1 && len == 12345);
    OK(oss_get_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, NULL, &buf, &len, &info));
    CHECK(len == n && memcmp(buf, text, n) == 0);
    CHECK(info->request_charged && info->has_crc64);
    oss_bytes_free(buf, len);
    oss_object_info_free(info);
    oss_range r = {7, 15};
    OK(oss_get_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, &r, &buf, &len, NULL));
    CHECK(len == 9 && memcmp(buf, text + 7, 9) == 0);
    oss_bytes_free(buf, len);
    oss_range tail = {7, OSS_RANGE_TO_END};
    OK(oss_get_object(requester, "dir/k.txt", OSS_PAYER_REQUESTER, &tail, &buf, &len, NULL));
    CHECK(len == n - 7 && memcmp(buf, text + 7, n - 7) == 0);
    oss_bytes_free(buf, len);
    OK(oss_get_object(requester, "empty", OSS_PAYER_REQUESTER, NULL, &buf, &len, NULL));
    CHECK(buf == NULL && len == 0);
    oss_bytes_free(NULL, 0);
    e = oss_get_object(requester, "missing", OSS_PAYER_REQUESTER, NULL, &buf, &len, NULL);
    CHECK(e != NULL && oss_error_http_status(e) == 404);
    oss_error_free(e);

    /* Files. */
    const char *up = "target/c-test-up.bin";
    const char *down = "target/c-test-down.bin";
    FILE *f = fopen(up, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 300000; i++) {
            fputc(i % 251, f);
        }
        fclose(f);
    }
    FAILS(K, oss_put_object_from_file(NULL, "file.bin", up, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_file(requester, NULL, up, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_file(requester, "file.bin", NULL, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_file(requester, "file.bin", up, 4, NULL, NULL));
    FAILS(OSS_ERROR_KIND_IO, oss_put_object_from_file(requester, "file.bin", "target/does/not/exist", OSS_PAYER_REQUESTER,
                                                      NULL, NULL));
    memset(&opts, 0, sizeof opts);
    opts.compute_content_md5 = true;
    OK(oss_put_object_from_file(requester, "file.bin", up, OSS_PAYER_REQUESTER, &opts, &info));
    CHECK(info->size == 300000 && info->request_charged);
    oss_object_info_free(info);
    FAILS(K, oss_get_object_to_file(NULL, "file.bin", down, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_get_object_to_file(requester, NULL, down, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_get_object_to_file(requester, "file.bin", NULL, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_get_object_to_file(requester, "file.bin", down, 8, NULL, NULL));
    OK(oss_get_object_to_file(requester, "file.bin", down, OSS_PAYER_REQUESTER, NULL, &info));
    CHECK(info->size == 300000);
    oss_object_info_free(info);
    OK(oss_get_object_to_file(requester, "file.bin", down, OSS_PAYER_REQUESTER, &r, NULL));
    f = fopen(down, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
        int ok = 1;
        for (int i = 7; i <= 15; i++) {
            ok &= fgetc(f) == i % 251;
        }
        CHECK(ok && fgetc(f) == EOF);
        fclose(f);
    }
    e = oss_get_object_to_file(requester, "missing", down, OSS_PAYER_REQUESTER, NULL, NULL);
    CHECK(e != NULL && oss_error_http_status(e) == 404);
    oss_error_free(e);

    /* Callbacks. */
    static uint8_t big[1 << 20];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(i * 31 % 253);
    }
    struct source src = {big, sizeof big, 0, -1};
    FAILS(K, oss_put_object_from_callback(NULL, "cb.bin", read_cb, &src, -1, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_callback(requester, NULL, read_cb, &src, -1, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_callback(requester, "cb.bin", NULL, &src, -1, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_callback(requester, "cb.bin", read_cb, &src, -2, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_put_object_from_callback(requester, "cb.bin", read_cb, &src, -1, 3, NULL, NULL));
    memset(&opts, 0, sizeof opts);
    opts.compute_content_md5 = true; /* needs the data up front */
    FAILS(K, oss_put_object_from_callback(requester, "cb.bin", read_cb, &src, -1, OSS_PAYER_REQUESTER, &opts, NULL));
    OK(oss_put_object_from_callback(requester, "cb.bin", read_cb, &src, -1, OSS_PAYER_REQUESTER, NULL, &info));
    CHECK(info->has_crc64 && info->request_charged);
    CHECK(info->size == sizeof big); /* counted, though the length was not declared */
    oss_object_info_free(info);
    src.pos = 0;
    OK(oss_put_object_from_callback(requester, "cb2.bin", read_cb, &src, (int64_t)sizeof big, OSS_PAYER_REQUESTER,
                                    NULL, NULL));
    src.pos = 0;
    src.fail_after = 100000;
    FAILS(OSS_ERROR_KIND_IO, oss_put_object_from_callback(requester, "cb3.bin", read_cb, &src, -1, OSS_PAYER_REQUESTER,
                                                          NULL, NULL));
    src.pos = 0;
    src.fail_after = -1;
    src.len = 1000; /* declares more than it gives */
    FAILS(OSS_ERROR_KIND_IO, oss_put_object_from_callback(requester, "cb4.bin", read_cb, &src, 5000,
                                                          OSS_PAYER_REQUESTER, NULL, NULL));
    e = oss_head_object(owner, "cb3.bin", OSS_PAYER_DEFAULT, &info);
    CHECK(e != NULL && oss_error_http_status(e) == 404); /* nothing stored by a failed upload */
    oss_error_free(e);

    struct sink s = {NULL, 0, 0, 0};
    FAILS(K, oss_get_object_to_callback(NULL, "cb.bin", write_cb, &s, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_get_object_to_callback(requester, NULL, write_cb, &s, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_get_object_to_callback(requester, "cb.bin", NULL, &s, OSS_PAYER_REQUESTER, NULL, NULL));
    FAILS(K, oss_get_object_to_callback(requester, "cb.bin", write_cb, &s, 6, NULL, NULL));
    OK(oss_get_object_to_callback(requester, "cb.bin", write_cb, &s, OSS_PAYER_REQUESTER, NULL, &info));
    CHECK(s.len == sizeof big && memcmp(s.data, big, sizeof big) == 0);
    CHECK(info->size == sizeof big);
    oss_object_info_free(info);
    s.len = 0;
    OK(oss_get_object_to_callback(requester, "cb2.bin", write_cb, &s, OSS_PAYER_REQUESTER, &r, NULL));
    CHECK(s.len == 9 && memcmp(s.data, big + 7, 9) == 0);
    s.abort = 1;
    FAILS(OSS_ERROR_KIND_IO,
          oss_get_object_to_callback(requester, "cb.bin", write_cb, &s, OSS_PAYER_REQUESTER, NULL, NULL));
    free(s.data);

    /* Presigned URLs. */
    char *url = (char *)0x1;
    FAILS(K, oss_presign_url(NULL, OSS_HTTP_GET, "k", 60, OSS_PAYER_REQUESTER, &url));
    FAILS(K, oss_presign_url(requester, 0, "k", 60, OSS_PAYER_REQUESTER, &url));
    FAILS(K, oss_presign_url(requester, 4, "k", 60, OSS_PAYER_REQUESTER, &url));
    FAILS(K, oss_presign_url(requester, OSS_HTTP_GET, NULL, 60, OSS_PAYER_REQUESTER, &url));
    FAILS(K, oss_presign_url(requester, OSS_HTTP_GET, "k", 0, OSS_PAYER_REQUESTER, &url));
    FAILS(K, oss_presign_url(requester, OSS_HTTP_GET, "k", 604801, OSS_PAYER_REQUESTER, &url));
    FAILS(K, oss_presign_url(requester, OSS_HTTP_GET, "k", 60, 3, &url));
    FAILS(K, oss_presign_url(requester, OSS_HTTP_GET, "k", 60, OSS_PAYER_REQUESTER, NULL));
    CHECK(url == (char *)0x1);
    uint32_t methods[] = {OSS_HTTP_GET, OSS_HTTP_PUT, OSS_HTTP_HEAD};
    for (int i = 0; i < 3; i++) {
        OK(oss_presign_url(requester, methods[i], "dir/k.txt", 60, OSS_PAYER_REQUESTER, &url));
        CHECK(strstr(url, "x-oss-request-payer=requester") != NULL && strstr(url, "x-oss-signature=") != NULL);
        oss_string_free(url);
    }
    OK(oss_presign_url(requester, OSS_HTTP_GET, "dir/k.txt", 60, OSS_PAYER_BUCKET_OWNER, &url));
    CHECK(strstr(url, "request-payer") == NULL);
    oss_string_free(url);

    /* Delete. */
    FAILS(K, oss_delete_object(NULL, "dir/k.txt", OSS_PAYER_REQUESTER));
    FAILS(K, oss_delete_object(requester, NULL, OSS_PAYER_REQUESTER));
    FAILS(K, oss_delete_object(requester, "dir/k.txt", 3));
    const char *keys[] = {"dir/k.txt", "empty", "file.bin", "cb.bin", "cb2.bin"};
    for (int i = 0; i < 5; i++) {
        OK(oss_delete_object(requester, keys[i], OSS_PAYER_REQUESTER));
    }
    e = oss_head_object(owner, "dir/k.txt", OSS_PAYER_DEFAULT, &info);
    CHECK(e != NULL && oss_error_http_status(e) == 404);
    oss_error_free(e);
}

static void test_sts_and_v1(void) {
    /* An STS requester signing V1 is charged like any requester. */
    oss_bucket *sts = test_bucket("c-api", "STS.demo-role-ak", "demo-role-sk", "demo-role-token", OSS_SIGNATURE_V1,
                                  OSS_PAYER_REQUESTER);
    oss_object_info *info = NULL;
    OK(oss_put_object(sts, "sts.txt", (const uint8_t *)"sts", 3, OSS_PAYER_DEFAULT, NULL, &info));
    CHECK(info != NULL && info->request_charged);
    oss_object_info_free(info);
    OK(oss_delete_object(sts, "sts.txt", OSS_PAYER_DEFAULT));
    oss_bucket_free(sts);

    oss_bucket *forged = test_bucket("c-api", "STS.demo-role-ak", "demo-role-sk", "forged", OSS_SIGNATURE_V4,
                                     OSS_PAYER_REQUESTER);
    oss_error *e = oss_delete_object(forged, "x", OSS_PAYER_DEFAULT);
    CHECK(e != NULL && strcmp(oss_error_code(e), "InvalidSecurityToken") == 0);
    oss_error_free(e);
    oss_bucket_free(forged);

    oss_bucket *wrong = test_bucket("c-api", "demo-requester-ak", "not-the-secret", NULL, OSS_SIGNATURE_V4,
                                    OSS_PAYER_REQUESTER);
    e = oss_delete_object(wrong, "x", OSS_PAYER_DEFAULT);
    CHECK(e != NULL && strcmp(oss_error_code(e), "SignatureDoesNotMatch") == 0 &&
          strncmp(oss_error_string_to_sign(e), "OSS4-HMAC-SHA256\n", 17) == 0 &&
          strstr(oss_error_description(e), "not-the-secret") == NULL);
    oss_error_free(e);
    oss_bucket_free(wrong);
}

static void test_error_accessors_null(void) {
    CHECK(oss_error_get_kind(NULL) == 0);
    CHECK(oss_error_http_status(NULL) == 0);
    CHECK(strcmp(oss_error_code(NULL), "") == 0);
    CHECK(strcmp(oss_error_message(NULL), "") == 0);
    CHECK(strcmp(oss_error_request_id(NULL), "") == 0);
    CHECK(strcmp(oss_error_host_id(NULL), "") == 0);
    CHECK(strcmp(oss_error_ec(NULL), "") == 0);
    CHECK(strcmp(oss_error_string_to_sign(NULL), "") == 0);
    CHECK(strcmp(oss_error_description(NULL), "") == 0);
    oss_error_free(NULL);
    CHECK(strcmp(oss_version(), "0.1.0") == 0);
}

static void test_network_error(void) {
    oss_bucket_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://127.0.0.1:1"; /* nothing listens on port 1 */
    cfg.bucket = "c-api";
    cfg.region = "cn-hangzhou";
    cfg.access_key_id = "a";
    cfg.access_key_secret = "b";
    cfg.connect_timeout_ms = 2000;
    cfg.max_attempts = 2; /* a refused connection is retried once, then reported */
    oss_bucket *b = NULL;
    OK(oss_bucket_new(&cfg, &b));
    oss_error *e = oss_delete_bucket(b);
    CHECK(e != NULL && oss_error_get_kind(e) == OSS_ERROR_KIND_NETWORK && oss_error_http_status(e) == 0);
    oss_error_free(e);
    oss_bucket_free(b);
}

int main(void) {
    oss_bucket *owner = test_bucket("c-api", "demo-owner-ak", "demo-owner-sk", NULL, OSS_SIGNATURE_V4,
                                    OSS_PAYER_BUCKET_OWNER);
    oss_bucket *requester = test_bucket("c-api", "demo-requester-ak", "demo-requester-sk", NULL, OSS_SIGNATURE_V4,
                                        OSS_PAYER_BUCKET_OWNER);
    OK(oss_create_bucket(owner, OSS_ACL_DEFAULT));
    test_config_errors();
    test_from_env();
    test_bucket_ops(owner, requester);
    test_object_ops(owner, requester);
    test_sts_and_v1();
    test_error_accessors_null();
    test_network_error();
    OK(oss_set_request_payment(owner, OSS_PAYER_BUCKET_OWNER));
    OK(oss_delete_bucket_policy(owner));
    oss_error *e = oss_delete_bucket_policy(NULL);
    CHECK(e != NULL);
    oss_error_free(e);
    FAILS(K, oss_delete_bucket(NULL));
    OK(oss_delete_bucket(owner));
    oss_bucket_free(requester);
    oss_bucket_free(owner);
    return checks_report("test_api");
}

/*
 * requester_pays.c: the requester-pays story, step by step, with ossc.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic examples/requester_pays.c -Iinclude \
 *      -Ltarget/release -lossc -o requester_pays
 *
 * Settings come from the environment:
 *   OSS_ENDPOINT, OSS_REGION, OSS_BUCKET, OSS_SIGNATURE_VERSION (1 or 4, default 4)
 *   OSS_OWNER_ACCESS_KEY_ID, OSS_OWNER_ACCESS_KEY_SECRET        the bucket owner
 *   OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN  the requester (token optional)
 *   OSS_REQUESTER_UID                                            the requester's account id
 * Exit status 0 only if every step behaved as expected.
 */
#include <ossc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name, int required) {
    const char *v = getenv(name);
    if (required && (v == NULL || v[0] == '\0')) {
        fprintf(stderr, "requester_pays: %s must be set\n", name);
        exit(2);
    }
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Prints an error and frees it. */
static void report(const char *step, oss_error *err) {
    fprintf(stderr, "  FAILED %s: %s\n", step, oss_error_description(err));
    oss_error_free(err);
}

static oss_bucket *open_bucket(const char *ak, const char *sk, const char *token, uint32_t payer) {
    oss_bucket_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = env("OSS_ENDPOINT", 1);
    cfg.bucket = env("OSS_BUCKET", 1);
    cfg.region = env("OSS_REGION", 0);
    cfg.access_key_id = ak;
    cfg.access_key_secret = sk;
    cfg.security_token = token;
    const char *sv = env("OSS_SIGNATURE_VERSION", 0);
    cfg.signature_version = (sv != NULL && strcmp(sv, "1") == 0) ? OSS_SIGNATURE_V1 : OSS_SIGNATURE_V4;
    cfg.default_payer = payer;
    oss_bucket *b = NULL;
    oss_error *err = oss_bucket_new(&cfg, &b);
    if (err != NULL) {
        report("opening the bucket", err);
        exit(1);
    }
    return b;
}

int main(void) {
    const char *bucket = env("OSS_BUCKET", 1);
    const char *uid = env("OSS_REQUESTER_UID", 1);
    const char *key = "requester-pays-demo/hello.txt";
    const char *text = "Hello from a requester who pays for this request.\n";
    size_t text_len = strlen(text);
    int ok = 1;
    oss_error *err;

    oss_bucket *owner = open_bucket(env("OSS_OWNER_ACCESS_KEY_ID", 1), env("OSS_OWNER_ACCESS_KEY_SECRET", 1),
                                    NULL, OSS_PAYER_BUCKET_OWNER);
    oss_bucket *requester = open_bucket(env("OSS_ACCESS_KEY_ID", 1), env("OSS_ACCESS_KEY_SECRET", 1),
                                        env("OSS_SESSION_TOKEN", 0), OSS_PAYER_REQUESTER);
    printf("ossc %s, bucket %s, signature V%s\n", oss_version(), bucket,
           (env("OSS_SIGNATURE_VERSION", 0) != NULL && strcmp(env("OSS_SIGNATURE_VERSION", 0), "1") == 0) ? "1" : "4");

    /* 1. The owner creates the bucket if it is missing and grants the requester access. */
    printf("1. owner: create bucket %s if missing, grant account %s by bucket policy\n", bucket, uid);
    err = oss_create_bucket(owner, OSS_ACL_DEFAULT);
    if (err != NULL && strcmp(oss_error_code(err), "BucketAlreadyExists") == 0) {
        printf("   bucket exists already\n");
        oss_error_free(err);
        err = NULL;
    }
    if (err != NULL) {
        report("create bucket", err);
        return 1;
    }
    char policy[1024];
    snprintf(policy, sizeof policy,
             "{\"Version\":\"1\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":[\"%s\"],"
             "\"Action\":[\"oss:GetObject\",\"oss:PutObject\",\"oss:DeleteObject\"],"
             "\"Resource\":[\"acs:oss:*:*:%s/requester-pays-demo/*\"]}]}",
             uid, bucket);
    if ((err = oss_put_bucket_policy(owner, policy)) != NULL) {
        report("put bucket policy", err);
        return 1;
    }
    printf("   policy set\n");

    /* 2. The owner switches requester pays on. */
    printf("2. owner: enable requester pays\n");
    if ((err = oss_set_request_payment(owner, OSS_PAYER_REQUESTER)) != NULL) {
        report("set request payment", err);
        return 1;
    }

    /* 3. The owner reads the setting back. */
    uint32_t payer = 0;
    if ((err = oss_get_request_payment(owner, &payer)) != NULL) {
        report("get request payment", err);
        return 1;
    }
    printf("3. owner: request payment is now %s\n", payer == OSS_PAYER_REQUESTER ? "Requester" : "BucketOwner");
    ok &= payer == OSS_PAYER_REQUESTER;

    /* 4. The requester uploads WITHOUT the payer flag and is refused. */
    printf("4. requester: upload without x-oss-request-payer (expect refusal)\n");
    err = oss_put_object(requester, key, (const uint8_t *)text, text_len, OSS_PAYER_BUCKET_OWNER, NULL, NULL);
    if (err == NULL) {
        printf("   UNEXPECTED: the upload succeeded\n");
        ok = 0;
    } else {
        printf("   refused: HTTP %u %s\n   message:    %s\n   EC:         %s\n   request id: %s\n",
               (unsigned)oss_error_http_status(err), oss_error_code(err), oss_error_message(err), oss_error_ec(err),
               oss_error_request_id(err));
        ok &= oss_error_get_kind(err) == OSS_ERROR_KIND_SERVICE && strcmp(oss_error_code(err), "AccessDenied") == 0;
        oss_error_free(err);
    }

    /* 5. The requester uploads with the flag. */
    printf("5. requester: upload with x-oss-request-payer: requester\n");
    oss_put_options opts;
    memset(&opts, 0, sizeof opts);
    opts.content_type = "text/plain";
    opts.compute_content_md5 = true;
    oss_object_info *info = NULL;
    if ((err = oss_put_object(requester, key, (const uint8_t *)text, text_len, OSS_PAYER_REQUESTER, &opts, &info)) !=
        NULL) {
        report("upload", err);
        return 1;
    }
    printf("   stored %s: ETag %s, CRC-64 %llu (verified), charged to requester: %s\n", key, info->etag,
           (unsigned long long)info->crc64, info->request_charged ? "yes" : "no");
    ok &= info->request_charged;
    oss_object_info_free(info);

    /* 6. The requester heads and downloads it, and checks the bytes. */
    if ((err = oss_head_object(requester, key, OSS_PAYER_REQUESTER, &info)) != NULL) {
        report("head", err);
        return 1;
    }
    printf("6. requester: head says %llu bytes, %s; ", (unsigned long long)info->size, info->content_type);
    ok &= info->size == text_len;
    oss_object_info_free(info);
    uint8_t *data = NULL;
    size_t len = 0;
    if ((err = oss_get_object(requester, key, OSS_PAYER_REQUESTER, NULL, &data, &len, NULL)) != NULL) {
        report("download", err);
        return 1;
    }
    int same = len == text_len && memcmp(data, text, len) == 0;
    printf("downloaded %zu bytes, %s\n", len, same ? "identical to what was uploaded" : "DIFFERENT");
    ok &= same;
    oss_bytes_free(data, len);

    /* 7. The requester deletes it. */
    if ((err = oss_delete_object(requester, key, OSS_PAYER_REQUESTER)) != NULL) {
        report("delete", err);
        return 1;
    }
    printf("7. requester: deleted %s\n", key);

    oss_bucket_free(requester);
    oss_bucket_free(owner);
    printf("%s\n", ok ? "requester-pays demo: every step behaved as expected"
                      : "requester-pays demo: SOME STEPS DID NOT BEHAVE AS EXPECTED");
    return ok ? 0 : 1;
}

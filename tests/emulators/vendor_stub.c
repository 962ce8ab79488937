/* A stand-in for the vendors' ID-card libraries (termb: CVR_*, Get*; sdtapi: SDT_*), built by the tests
 * with gcc into a temporary directory: it lets the vendor-sdk driver's ctypes binding run for real.
 * Compile with -DTERMB or -DSDTAPI. The stub_* functions are the test's hands: they put a card on the
 * "reader", take it off, and report what the driver called. No real person's data is ever in here. */
#include <string.h>

enum { NAME, SEX, NATION, NATION_CODE, BIRTH, ADDRESS, IDCODE, DEPARTMENT, START, END, CERT_TYPE, FIELDS };

static char fields[FIELDS][256];
static unsigned char photo[65536];
static int photo_len;
static int placed, opened, read_done, last_active = -1, fingerprint_calls, open_calls, open_result = 1;
static unsigned char text_block[256];
static unsigned char wlt[1024];

void stub_reset(void) {
    memset(fields, 0, sizeof fields);
    placed = opened = read_done = fingerprint_calls = open_calls = photo_len = 0;
    last_active = -1;
    open_result = 1;
}
void stub_clear(void) {  /* the card's data only; the port stays as it is */
    memset(fields, 0, sizeof fields);
    photo_len = 0;
    placed = read_done = 0;
}
void stub_set(int field, const char *gbk) { strncpy(fields[field], gbk, 255); fields[field][255] = 0; }
void stub_set_photo(const unsigned char *data, int len) { memcpy(photo, data, len); photo_len = len; }
void stub_set_block(const unsigned char *text, const unsigned char *photo_wlt) {
    memcpy(text_block, text, 256);
    memcpy(wlt, photo_wlt, 1024);
}
void stub_place(void) { placed = 1; read_done = 0; }
void stub_lift(void) { placed = 0; read_done = 0; }
void stub_unplug(int unplugged) { open_result = !unplugged; if (unplugged) opened = 0; }
int stub_last_active(void) { return last_active; }
int stub_fingerprint_calls(void) { return fingerprint_calls; }
int stub_open_calls(void) { return open_calls; }

#ifdef TERMB
int CVR_InitComm(int port) { open_calls++; opened = open_result && port == 1001; return opened ? 1 : 2; }
int CVR_CloseComm(void) { opened = 0; return 1; }
int CVR_Authenticate(void) {
    if (!opened || !open_result) return 0;
    return placed ? 1 : 2;
}
int CVR_Read_Content(int active) {
    last_active = active;
    if (!opened || !placed) return 0;
    read_done = 1;
    return 1;
}
int CVR_Read_FPContent(void) { fingerprint_calls++; return 0; }

static int get(int field, char *buf, int *len) {
    int n = (int)strlen(fields[field]);
    if (!read_done || *len < n + 1) return 0;
    memcpy(buf, fields[field], n + 1);
    *len = n;
    return 1;
}
int GetPeopleName(char *b, int *l) { return get(NAME, b, l); }
int GetPeopleSex(char *b, int *l) { return get(SEX, b, l); }
int GetPeopleNation(char *b, int *l) { return get(NATION, b, l); }
int GetNationCode(char *b, int *l) { return get(NATION_CODE, b, l); }
int GetPeopleBirthday(char *b, int *l) { return get(BIRTH, b, l); }
int GetPeopleAddress(char *b, int *l) { return get(ADDRESS, b, l); }
int GetPeopleIDCode(char *b, int *l) { return get(IDCODE, b, l); }
int GetDepartment(char *b, int *l) { return get(DEPARTMENT, b, l); }
int GetStartDate(char *b, int *l) { return get(START, b, l); }
int GetEndDate(char *b, int *l) { return get(END, b, l); }
int GetCertType(char *b, int *l) { return get(CERT_TYPE, b, l); }
int GetBMPData(unsigned char *b, int *l) {
    if (!read_done || photo_len == 0 || *l < photo_len) return 0;
    memcpy(b, photo, photo_len);
    *l = photo_len;
    return 1;
}
#endif

#ifdef SDTAPI
int SDT_OpenPort(int port) { open_calls++; opened = open_result && port == 1001; return opened ? 0x90 : 0x01; }
int SDT_ClosePort(int port) { (void)port; opened = 0; return 0x90; }
int SDT_StartFindIDCard(int port, unsigned char *mana, int if_open) {
    (void)port; (void)if_open; memset(mana, 0, 8);
    if (!opened || !open_result) return 0x01;
    return placed ? 0x9F : 0x80;
}
int SDT_SelectIDCard(int port, unsigned char *sn, int if_open) {
    (void)port; (void)if_open; memset(sn, 0, 8);
    return placed ? 0x90 : 0x81;
}
int SDT_ReadBaseMsg(int port, unsigned char *ch, unsigned int *ch_len, unsigned char *ph, unsigned int *ph_len,
                    int if_open) {
    (void)port; (void)if_open;
    if (!placed) return 0x41;
    memcpy(ch, text_block, 256); *ch_len = 256;
    memcpy(ph, wlt, 1024); *ph_len = 1024;
    return 0x90;
}
#endif

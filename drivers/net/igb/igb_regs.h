/* igb_regs.h: Intel 82576 register offsets, bit fields and descriptor
 * layouts used by the net_igb driver. Names follow the 82576 datasheet
 * (section 8, "Programming Interface"); only what the driver touches is
 * here. All registers are 32 bits wide, little endian, in BAR0. */
#ifndef IGB_REGS_H
#define IGB_REGS_H

#include <stdint.h>

#define IGB_VENDOR_ID_INTEL 0x8086
#define IGB_DEVICE_ID_82576 0x10c9

/* ---- general ------------------------------------------------------------ */
#define IGB_CTRL 0x00000      /* device control */
#define IGB_STATUS 0x00008    /* device status */
#define IGB_CTRL_EXT 0x00018  /* extended device control */
#define IGB_MDIC 0x00020      /* MDI (PHY) control */

#define IGB_CTRL_FD (1u << 0)
#define IGB_CTRL_LRST (1u << 3)   /* link reset */
#define IGB_CTRL_ASDE (1u << 5)   /* auto speed detection */
#define IGB_CTRL_SLU (1u << 6)    /* set link up */
#define IGB_CTRL_RST (1u << 26)   /* device reset, self clearing */
#define IGB_CTRL_VME (1u << 30)   /* VLAN mode */
#define IGB_CTRL_PHY_RST (1u << 31)

#define IGB_STATUS_FD (1u << 0)
#define IGB_STATUS_LU (1u << 1)
#define IGB_STATUS_SPEED_SHIFT 6
#define IGB_STATUS_SPEED_MASK (3u << IGB_STATUS_SPEED_SHIFT)
#define IGB_STATUS_SPEED_10 0u
#define IGB_STATUS_SPEED_100 1u

#define IGB_CTRL_EXT_DRV_LOAD (1u << 28)

#define IGB_MDIC_DATA_MASK 0xffffu
#define IGB_MDIC_REG_SHIFT 16
#define IGB_MDIC_PHY_SHIFT 21
#define IGB_MDIC_OP_WRITE (1u << 26)
#define IGB_MDIC_OP_READ (2u << 26)
#define IGB_MDIC_READY (1u << 28)
#define IGB_MDIC_ERROR (1u << 30)
#define IGB_PHY_ADDR 1

/* PHY registers (IEEE 802.3 clause 22) */
#define IGB_PHY_BMCR 0
#define IGB_BMCR_SPEED1000 0x0040
#define IGB_BMCR_FD 0x0100
#define IGB_BMCR_ANRESTART 0x0200
#define IGB_BMCR_AUTOEN 0x1000

/* ---- interrupts ---------------------------------------------------------- */
/* ICR/IMS/IMC at the offsets Linux's igb driver uses (0xc0/0xd0/0xd8):
 * QEMU's igb model implements only those; at 0x1500/0x1508/0x150c (the
 * datasheet's other copies) its writes went nowhere and its reads gave 0,
 * so masking there did nothing and an LSC enable was lost. */
#define IGB_ICR 0x000c0
#define IGB_IMS 0x000d0
#define IGB_IMC 0x000d8
#define IGB_GPIE 0x01514
#define IGB_EICS 0x01520
#define IGB_EIMS 0x01524
#define IGB_EIMC 0x01528
#define IGB_EIAC 0x0152c
#define IGB_EIAM 0x01530
#define IGB_EICR 0x01580
#define IGB_EITR(n) (0x01680 + 4 * (n)) /* interrupt throttle of MSI-X vector n (0..24) */
#define IGB_IVAR0(n) (0x01700 + 4 * (n)) /* interrupt vector allocation, 8 registers */
#define IGB_IVAR_MISC 0x01740           /* vector of the other causes (link, ...) */

/* GPIE (general purpose interrupt enable) */
#define IGB_GPIE_NSICR (1u << 0)         /* non-selective ICR clear on read */
#define IGB_GPIE_MULTIPLE_MSIX (1u << 4) /* one MSI-X vector per EICR cause bit */
#define IGB_GPIE_EIAME (1u << 30)        /* EIAM auto-masks on an MSI-X message */
#define IGB_GPIE_PBA_SUPPORT (1u << 31)  /* MSI-X pending bits in the PBA */

/* IVAR0[n & 7]: INT_Alloc bytes for rx queue n (byte 0, or byte 2 for
 * n >= 8) and tx queue n (byte 1, or 3); each byte is a vector (EICR bit)
 * number with the valid bit. */
#define IGB_IVAR_VALID 0x80u
#define IGB_IVAR_RX_SHIFT(n) ((n) < 8 ? 0u : 16u)
/* IVAR_MISC: byte 1 is the vector of the "other" causes of ICR (link status
 * change among them), byte 0 that of the TCP timer; each VALID | vector. */
#define IGB_IVAR_MISC_OTHER_SHIFT 8u
/* ICR / IMS cause bits */
#define IGB_ICR_LSC (1u << 2) /* link status change */
#define IGB_MSIX_MAX_VECTORS 25 /* EICR/EIMS bits in multiple-MSI-X mode (the PF has 10 vectors) */

/* ---- receive ------------------------------------------------------------- */
#define IGB_RCTL 0x00100
#define IGB_RCTL_EN (1u << 1)
#define IGB_RCTL_SBP (1u << 2)    /* store bad packets */
#define IGB_RCTL_UPE (1u << 3)    /* unicast promiscuous */
#define IGB_RCTL_MPE (1u << 4)    /* multicast promiscuous */
#define IGB_RCTL_LPE (1u << 5)    /* long packets (up to RLPML) */
#define IGB_RCTL_LBM_MAC (1u << 6)
#define IGB_RCTL_BAM (1u << 15)   /* accept broadcast */
#define IGB_RCTL_VFE (1u << 18)   /* VLAN filter */
#define IGB_RCTL_SECRC (1u << 26) /* strip the Ethernet CRC */

#define IGB_RXCSUM 0x05000
#define IGB_RXCSUM_IPOFLD (1u << 8)
#define IGB_RXCSUM_TUOFLD (1u << 9)
#define IGB_RXCSUM_PCSD (1u << 13) /* descriptor carries the RSS hash, not the checksum */
#define IGB_RLPML 0x05004          /* long packet maximum length */
#define IGB_RFCTL 0x05008
#define IGB_MTA(i) (0x05200 + 4 * (i)) /* multicast table, 128 words */
#define IGB_MTA_WORDS 128
#define IGB_RAL(i) (0x05400 + 8 * (i))
#define IGB_RAH(i) (0x05404 + 8 * (i))
#define IGB_RAH_AV (1u << 31)
#define IGB_MRQC 0x05818
#define IGB_MRQC_ENABLE_RSS 0x2u
#define IGB_MRQC_RSS_IPV4_TCP (1u << 16)
#define IGB_MRQC_RSS_IPV4 (1u << 17)
#define IGB_MRQC_RSS_IPV6_TCP_EX (1u << 18)
#define IGB_MRQC_RSS_IPV6_EX (1u << 19)
#define IGB_MRQC_RSS_IPV6 (1u << 20)
#define IGB_MRQC_RSS_IPV6_TCP (1u << 21)
#define IGB_MRQC_RSS_IPV4_UDP (1u << 22)
#define IGB_MRQC_RSS_IPV6_UDP (1u << 23)
#define IGB_MRQC_RSS_IPV6_UDP_EX (1u << 24)
#define IGB_RETA(i) (0x05c00 + 4 * (i)) /* 32 words, 4 one-byte entries each */
#define IGB_RETA_WORDS 32
#define IGB_RETA_ENTRIES 128
#define IGB_RSSRK(i) (0x05c80 + 4 * (i)) /* 40-byte Toeplitz key, 10 words */
#define IGB_RSSRK_WORDS 10
#define IGB_RSS_KEY_SIZE (4 * IGB_RSSRK_WORDS)

/* per rx queue n (0..15) */
#define IGB_RDBAL(n) (0x0c000 + 0x40 * (n))
#define IGB_RDBAH(n) (0x0c004 + 0x40 * (n))
#define IGB_RDLEN(n) (0x0c008 + 0x40 * (n))
#define IGB_SRRCTL(n) (0x0c00c + 0x40 * (n))
#define IGB_RDH(n) (0x0c010 + 0x40 * (n))
#define IGB_RDT(n) (0x0c018 + 0x40 * (n))
#define IGB_RXDCTL(n) (0x0c028 + 0x40 * (n))
#define IGB_RQDPC(n) (0x0c030 + 0x40 * (n)) /* rx queue drop packet count */

#define IGB_SRRCTL_BSIZEPKT_SHIFT 10 /* packet buffer size in 1 KiB units, bits 6:0 */
#define IGB_SRRCTL_BSIZEPKT_MASK 0x7fu
#define IGB_SRRCTL_BSIZEHDR_SHIFT 8
#define IGB_SRRCTL_DESCTYPE_ADV_ONEBUF (1u << 25)
#define IGB_SRRCTL_DROP_EN (1u << 31)

#define IGB_RXDCTL_PTHRESH(x) ((uint32_t)(x) & 0x1f)
#define IGB_RXDCTL_HTHRESH(x) (((uint32_t)(x) & 0x1f) << 8)
#define IGB_RXDCTL_WTHRESH(x) (((uint32_t)(x) & 0x1f) << 16)
#define IGB_RXDCTL_ENABLE (1u << 25)

/* ---- transmit ------------------------------------------------------------ */
#define IGB_TCTL 0x00400
#define IGB_TCTL_EN (1u << 1)
#define IGB_TCTL_PSP (1u << 3) /* pad short packets */

/* per tx queue n (0..15) */
#define IGB_TDBAL(n) (0x0e000 + 0x40 * (n))
#define IGB_TDBAH(n) (0x0e004 + 0x40 * (n))
#define IGB_TDLEN(n) (0x0e008 + 0x40 * (n))
#define IGB_TDH(n) (0x0e010 + 0x40 * (n))
#define IGB_TDT(n) (0x0e018 + 0x40 * (n))
#define IGB_TXDCTL(n) (0x0e028 + 0x40 * (n))
#define IGB_TDWBAL(n) (0x0e038 + 0x40 * (n))
#define IGB_TDWBAH(n) (0x0e03c + 0x40 * (n))

#define IGB_TXDCTL_PTHRESH(x) ((uint32_t)(x) & 0x1f)
#define IGB_TXDCTL_HTHRESH(x) (((uint32_t)(x) & 0x1f) << 8)
#define IGB_TXDCTL_WTHRESH(x) (((uint32_t)(x) & 0x1f) << 16)
#define IGB_TXDCTL_ENABLE (1u << 25)

/* ---- statistics (clear on read) -------------------------------------------- */
#define IGB_CRCERRS 0x04000
#define IGB_ALGNERRC 0x04004
#define IGB_SYMERRS 0x04008
#define IGB_RXERRC 0x0400c
#define IGB_MPC 0x04010
#define IGB_SCC 0x04014
#define IGB_ECOL 0x04018
#define IGB_MCC 0x0401c
#define IGB_LATECOL 0x04020
#define IGB_COLC 0x04028
#define IGB_DC 0x04030
#define IGB_TNCRS 0x04034
#define IGB_SEC 0x04038
#define IGB_CEXTERR 0x0403c
#define IGB_RLEC 0x04040
#define IGB_XONRXC 0x04048
#define IGB_XONTXC 0x0404c
#define IGB_XOFFRXC 0x04050
#define IGB_XOFFTXC 0x04054
#define IGB_FCRUC 0x04058
#define IGB_PRC64 0x0405c
#define IGB_PRC127 0x04060
#define IGB_PRC255 0x04064
#define IGB_PRC511 0x04068
#define IGB_PRC1023 0x0406c
#define IGB_PRC1522 0x04070
#define IGB_GPRC 0x04074
#define IGB_BPRC 0x04078
#define IGB_MPRC 0x0407c
#define IGB_GPTC 0x04080
#define IGB_GORCL 0x04088
#define IGB_GORCH 0x0408c
#define IGB_GOTCL 0x04090
#define IGB_GOTCH 0x04094
#define IGB_RNBC 0x040a0
#define IGB_RUC 0x040a4
#define IGB_RFC 0x040a8
#define IGB_ROC 0x040ac
#define IGB_RJC 0x040b0
#define IGB_MGTPRC 0x040b4
#define IGB_MGTPDC 0x040b8
#define IGB_MGTPTC 0x040bc
#define IGB_TORL 0x040c0
#define IGB_TORH 0x040c4
#define IGB_TOTL 0x040c8
#define IGB_TOTH 0x040cc
#define IGB_TPR 0x040d0
#define IGB_TPT 0x040d4
#define IGB_PTC64 0x040d8
#define IGB_PTC127 0x040dc
#define IGB_PTC255 0x040e0
#define IGB_PTC511 0x040e4
#define IGB_PTC1023 0x040e8
#define IGB_PTC1522 0x040ec
#define IGB_MPTC 0x040f0
#define IGB_BPTC 0x040f4
#define IGB_TSCTC 0x040f8
#define IGB_TSCTFC 0x040fc

/* ---- descriptors ------------------------------------------------------------ */

/* Advanced receive descriptor: the driver writes the read format, the
 * device writes back the other one in place. */
union igb_adv_rx_desc {
	struct {
		uint64_t pkt_addr;  /* packet buffer IOVA */
		uint64_t hdr_addr;  /* header buffer IOVA (0: one-buffer mode); clears DD */
	} read;
	struct {
		uint16_t pkt_info;  /* bits 3:0 RSS type, 12:4 packet type */
		uint16_t hdr_info;
		uint32_t rss_hash;  /* with RXCSUM.PCSD */
		uint32_t status_error;
		uint16_t length;
		uint16_t vlan;
	} wb;
	uint64_t qw[2];
};
_Static_assert(sizeof(union igb_adv_rx_desc) == 16, "rx descriptor is 16 bytes");

#define IGB_RXD_STAT_DD (1u << 0)
#define IGB_RXD_STAT_EOP (1u << 1)
#define IGB_RXD_STAT_VP (1u << 3)
#define IGB_RXD_ERR_TCPE (1u << 29) /* L4 checksum error */
#define IGB_RXD_ERR_IPE (1u << 30)  /* IPv4 header checksum error */
#define IGB_RXD_ERR_RXE (1u << 31)  /* frame error */
#define IGB_RXD_PKTINFO_RSSTYPE_MASK 0xfu

/* Advanced transmit data descriptor (read format) and its write-back. */
union igb_adv_tx_desc {
	struct {
		uint64_t buffer_addr;
		uint32_t cmd_type_len;
		uint32_t olinfo_status;
	} read;
	struct {
		uint64_t rsvd;
		uint32_t nxtseq_seed;
		uint32_t status;
	} wb;
};
_Static_assert(sizeof(union igb_adv_tx_desc) == 16, "tx descriptor is 16 bytes");

#define IGB_TXD_DTYP_DATA (3u << 20)
#define IGB_TXD_CMD_EOP (1u << 24)
#define IGB_TXD_CMD_IFCS (1u << 25) /* insert the Ethernet CRC */
#define IGB_TXD_CMD_RS (1u << 27)   /* report status (DD) */
#define IGB_TXD_CMD_DEXT (1u << 29) /* advanced descriptor */
#define IGB_TXD_PAYLEN_SHIFT 14
#define IGB_TXD_STAT_DD (1u << 0)

#define IGB_MAX_QUEUES 16
#define IGB_RING_ALIGN 128     /* ring base alignment (datasheet: 128 bytes) */
#define IGB_DESC_MIN 64
#define IGB_DESC_MAX 4096
#define IGB_DESC_MULTIPLE 8    /* RDLEN/TDLEN are multiples of 128 bytes */

#endif /* IGB_REGS_H */

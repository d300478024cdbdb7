public enum EWMIO {}

/** Small pictograms (24×24 paths, even-odd fill) for how an inject was delivered. */
export const DELIVERY_ICONS: Record<string, string> = {
	phone: 'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25c1.1.37 2.3.57 3.6.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
	radio: 'M8 2h2v4h6a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2zm1 7v2h6V9zm0 4v2h6v-2z',
	message: 'M3 4h18v12H9l-6 5zm3 3v2h12V7zm0 4v2h8v-2z',
	video: 'M2 6h13v12H2zM16 10l6-3.5v11L16 14z',
	sensor_alarm: 'M12 2a1.5 1.5 0 0 1 1.5 1.5v.7A6 6 0 0 1 18 10v5l2 2v1H4v-1l2-2v-5a6 6 0 0 1 4.5-5.8v-.7A1.5 1.5 0 0 1 12 2zm-2 17h4a2 2 0 0 1-4 0z',
	media: 'M3 5h14v14H3zM5 7v4h5V7zm7 0v1.5h3V7zm0 3v1.5h3V10zM5 13v1.5h10V13zm0 3v1.5h10V16zM18 8h3v9a2 2 0 0 1-2 2h-1z',
	in_person: 'M12 3a4 4 0 1 1 0 8a4 4 0 0 1 0-8zM4 21a8 8 0 0 1 16 0z'
};

/** Speaker on / off for the alert-sound switch. */
export const SOUND_ON = 'M3 9h4l5-4v14l-5-4H3zM15.5 8.5a5 5 0 0 1 0 7l-1.4-1.4a3 3 0 0 0 0-4.2zM18.3 5.7a9 9 0 0 1 0 12.6l-1.4-1.4a7 7 0 0 0 0-9.8z';
export const SOUND_OFF = 'M3 9h4l5-4v14l-5-4H3zM15 9.4l1.4-1.4 2.1 2.1 2.1-2.1L22 9.4l-2.1 2.1 2.1 2.1-1.4 1.4-2.1-2.1-2.1 2.1-1.4-1.4 2.1-2.1z';

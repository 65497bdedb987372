import type { RequestHandler } from './$types';
import { handleApi } from '$server/api/router';
import { appContext } from '$server/context';
import { isSecureRequest } from '$lib/server/http';

const dispatch: RequestHandler = async (event) =>
	handleApi(
		await appContext(),
		{
			request: event.request,
			session: event.locals.session,
			clientAddress: event.getClientAddress(),
			secureCookies: isSecureRequest(event.url)
		},
		event.params.path
	);

export const GET = dispatch;
export const POST = dispatch;
export const DELETE = dispatch;
export const PUT = dispatch;
export const PATCH = dispatch;
